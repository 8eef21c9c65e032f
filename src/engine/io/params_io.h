/* A DvParams as a safetensors checkpoint. */
#pragma once

#include "core/params.h"

G_BEGIN_DECLS

/* Checkpoints (safetensors): metadata may be NULL; keys and values are strings.
 * Saving is atomic. Loading checks that every tensor of `params` is present
 * with the right shape, and names the first that is not. */
gboolean dv_params_save (const DvParams *params, const char *path, GHashTable *metadata, GError **error);
gboolean dv_params_load (DvParams *params, const char *path, GHashTable **metadata_out, GError **error);

G_END_DECLS
