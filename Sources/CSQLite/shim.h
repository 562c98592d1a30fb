#ifndef CREDIT_RECON_CSQLITE_SHIM_H
#define CREDIT_RECON_CSQLITE_SHIM_H
#include <sqlite3.h>

/* sqlite3_db_config is variadic, which Swift cannot call: the one use of it, whether
   closing a connection folds the -wal log into the file (Database.close). */
static inline int credit_recon_keep_log_on_close(sqlite3 *db, int keep) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, keep, (int *)0);
}
#endif
