#ifndef CREDIT_RECON_CSQLITE_SHIM_H
#define CREDIT_RECON_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
