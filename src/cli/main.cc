// The modelwatch binary: everything lives in the mw_cli library (modelwatch/cli/cli.h).
#include <iostream>

#include "modelwatch/cli/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return modelwatch::cli::Main(argc, argv, std::cout, std::cerr);
}
