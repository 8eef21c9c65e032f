/* Tiny classifiers for the Votes page's tests and screenshots while the
 * trained ones are not there: the four files (resnet18 / mobilenet × Ω_s / Ω_m)
 * at small widths, written in a moment. */
#pragma once

#include <glib.h>

/* Writes DIR/{resnet18,mobilenet}-{s,m}.safetensors. favoured[4] (in that order: resnet18-s, resnet18-m,
 * mobilenet-s, mobilenet-m), when not NULL: a file whose entry is a class index c ≥ 0 has its last layer's
 * weights zeroed and bias[c] = 2 (the others 0), so that it gives every image softmax(bias) and votes c;
 * -1 (or favoured NULL) keeps the random weights. Each file's metadata carries "set" and the test values
 * accuracy_e = 0.1 + 0.1 i, accuracy_ea = 0.15 + 0.1 i for the i-th file. */
gboolean tiny_votes_weights_write (const char *dir, const int *favoured, GError **error);

/* DIR/evaluation.json for the four files in DIR: split e of the dataset of seed 1 with per_class objects per class;
 * the i-th file (that order) predicts, for the k-th object of class c, c + 1 on e when k % (i + 2) == 0 (else c),
 * and c + 2 on ea when k % 3 == 0 (else c), classes modulo 13. views_dir (may be NULL: not recorded) holds the
 * score.safetensors and autoencoder.safetensors whose SHA-256 the file records as those of ea's views. */
gboolean tiny_votes_evaluation_write (const char *dir, guint per_class, const char *views_dir, GError **error);
