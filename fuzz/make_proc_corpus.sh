#!/bin/bash
# Writes the seed corpus of the proc_parsers fuzz target from the fixture trees:
#   fuzz/make_proc_corpus.sh        (from the repository root; the output is committed)
# Each file is a selector byte (see proc_parsers_fuzz.cc) followed by one fixture file.
set -eu
out=fuzz/corpus/proc_parsers
fx=tests/fixtures/proc
v2=$fx/h100-cgroup-v2
lim=$fx/cgroup-v2-limits
group=sys/fs/cgroup/process_api/af093e3327390323610d963d5d13940a
mkdir -p "$out"
seed() {  # seed SELECTOR NAME FILE
  { printf '%s' "$1"; cat "$3"; } >"$out/seed_$2"
}
seed 0 stat_vm "$fx/vm-cgroup-v1/1/proc/stat"
seed 0 stat_h100 "$v2/2/proc/stat"
seed 1 meminfo "$v2/1/proc/meminfo"
seed 2 loadavg "$fx/vm-cgroup-v1/2/proc/loadavg"
seed 3 pressure_io "$fx/vm-cgroup-v1/1/proc/pressure/io"
seed 3 pressure_cgroup_cpu "$v2/1/$group/cpu.pressure"
seed 4 pid_stat "$fx/vm-cgroup-v1/2/proc/23346/stat"
seed 5 pid_status "$fx/vm-cgroup-v1/2/proc/23346/status"
seed 6 pid_io "$v2/2/proc/1756/io"
seed 7 pid_limits "$v2/1/proc/1756/limits"
seed 8 pid_cgroup_v2 "$v2/1/proc/1756/cgroup"
seed 8 pid_cgroup_v1 "$fx/vm-cgroup-v1/1/proc/23346/cgroup"
seed 9 cpu_stat "$v2/1/$group/cpu.stat"
seed 9 cpu_stat_throttled "$lim/2/$group/cpu.stat"
seed : cpu_max "$lim/1/$group/cpu.max"
seed ';' memory_current "$v2/1/$group/memory.current"
seed '<' memory_max_unlimited "$v2/1/$group/memory.max"
seed '<' memory_max "$lim/1/$group/memory.max"
seed = memory_stat "$v2/2/$group/memory.stat"
seed '>' memory_events "$lim/2/$group/memory.events"
seed '?' cgroup_controllers "$v2/1/sys/fs/cgroup/cgroup.controllers"
# A comm with spaces and parentheses.
{ printf 4; printf '%s' '12 (my) (prog) x) S 1 1 1 0 -1 0 0 0 0 0 3 19 0 0 20 0 1 0 3057 7667712 1050 0'; } \
  >"$out/seed_pid_stat_odd_comm"
