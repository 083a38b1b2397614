#!/usr/bin/python3
"""Writes examples/reference.csv and examples/current.csv: a small fraud-scoring dataset and a
later one in which age, amount and the score moved and the country mix changed. Deterministic.
Run with Debian's /usr/bin/python3 (numpy)."""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)


def write(path, n, shift):
    age = rng.normal(40 + shift * 3, 12, n).round(1)
    amount = rng.lognormal(3.5 + shift * 0.3, 1.0, n).round(2)
    p = [.3, .2, .3, .1, .1] if not shift else [.2, .2, .4, .1, .1]
    country = rng.choice(['DE', 'FR', 'US', 'GB', 'ES'], n, p=p)
    is_new = rng.random(n) < (0.2 + 0.1 * shift)
    score = 1 / (1 + np.exp(-(amount / 60 - 1.5 + rng.normal(0, 1, n))))
    label = (rng.random(n) < score).astype(int)
    pred = (score >= 0.5).astype(int)
    with open(path, 'w') as f:
        f.write('age,amount,country,is_new,label,pred,score\n')
        for i in range(n):
            a = '' if rng.random() < 0.02 else f'{age[i]}'
            f.write(f'{a},{amount[i]},{country[i]},{"true" if is_new[i] else "false"},'
                    f'{label[i]},{pred[i]},{score[i]:.6f}\n')


write(os.path.join(HERE, 'reference.csv'), 3000, 0)
write(os.path.join(HERE, 'current.csv'), 2000, 1)
