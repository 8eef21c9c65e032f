/* The view latents of a multi-view split: every view of every object encoded
 * by the autoencoder, latents[n_objects][n_views][latent_dim], and their cache
 * on disk (one safetensors file: tensor "latents", metadata naming the
 * autoencoder by the SHA-256 of its weights and the split by its seed, split
 * and object count), so that the score model's training encodes split d once. */
#pragma once

#include "views/autoencoder.h"
#include "views/multiview.h"

G_BEGIN_DECLS

#define DV_VIEW_LATENTS_FORMAT "dimvida-view-latents-1"

/* Hex SHA-256 of the autoencoder's config and weights (its identity in a cache), to g_free. */
char *dv_view_latents_autoencoder_id (const DvAutoencoder *ae);

/* Encodes every view of set (batch views per call; 64 when batch ≤ 0) into
 * latents[n_objects][n_views][latent_dim]. Progress counts objects. The set's
 * views must be the autoencoder's size. */
gboolean dv_view_latents_encode (const DvAutoencoder *ae, const DvMultiviewSet *set, int batch, float *latents,
                                 DvProgressFunc progress, gpointer user_data, GCancellable *cancellable,
                                 GError **error);

/* Writes the cache atomically. */
gboolean dv_view_latents_save (const char *path, const float *latents, const DvMultiviewSet *set, int latent_dim,
                               const char *autoencoder_id, GError **error);
/* Reads a cache written for this set and this autoencoder (latent_dim from
 * it); a cache of another autoencoder, split, seed or shape is refused with a
 * message saying which (DV_ERROR_FORMAT). Returns [n_objects][n_views][L], to g_free. */
float *dv_view_latents_load (const char *path, const DvMultiviewSet *set, int latent_dim,
                             const char *autoencoder_id, GError **error);

G_END_DECLS
