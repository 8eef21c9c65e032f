/* Where the files shipped in data/ (weights, datasets, samples) are found. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

/* Full path of a shipped data file (basename may hold folders): $DIMVIDA_DATADIR,
 * the installed pkgdatadir, then the source tree's data/. NULL and DV_ERROR_IO if none has it. */
char *dv_find_data_file (const char *basename, GError **error);

G_END_DECLS
