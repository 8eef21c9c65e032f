/* Tiny, randomly initialised view autoencoder and score model, written in a
 * moment, for the GUI tests and screenshots while the trained weights are
 * not there: they generate noise-like views, quickly. */
#pragma once

#include <glib.h>

/* Writes DIR/autoencoder.safetensors and DIR/score.safetensors; full_size:
 * the shipped networks' sizes (random all the same), to time the page. */
gboolean tiny_views_weights_write (const char *dir, gboolean full_size, GError **error);
