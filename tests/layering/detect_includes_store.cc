// detect/ reaching up to store/: must not compile (the store's headers are not on its path).
#include "store/store.h"

int Probe() { return 0; }
