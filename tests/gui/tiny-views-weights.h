/* Tiny, randomly initialised view autoencoder and score model, written in a
 * moment, for the GUI tests and screenshots while the trained weights are
 * not there: they generate noise-like views, quickly. */
#pragma once

#include <glib.h>

/* Writes DIR/autoencoder.safetensors, DIR/score.safetensors and DIR/latent-map.safetensors (the PCA of the
 * autoencoder's latents of the sample objects); full_size:
 * the shipped networks' sizes (random all the same), to time the page. */
gboolean tiny_views_weights_write (const char *dir, gboolean full_size, GError **error);
/* Tiny weights with the autoencoder initialised from another seed. */
gboolean tiny_views_weights_write_seeded (const char *dir, guint64 seed, GError **error);
