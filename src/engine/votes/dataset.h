/* The classifiers' image sets (DiMViDA section on Ω_s and Ω_m):
 *   c   split c's real view of each object (trains Ω_s);
 *   ca  c plus the 3 views generated from each object's real view (trains Ω_m);
 *   e, ea  the same of split e (evaluation; ea is voted on per object, votes/evaluate.h).
 * Images are kept as bytes [n][S][S][3] and turned into the classifiers' CHW
 * floats in [0, 1] a batch at a time, with the light augmentation of training. */
#pragma once

#include "core/rng.h"
#include "views/multiview.h"

G_BEGIN_DECLS

typedef enum {
  DV_VOTES_SET_S,  /* Ω_s: split c */
  DV_VOTES_SET_M,  /* Ω_m: split ca */
  DV_N_VOTES_SETS,
} DvVotesSet;

/* "s", "m". */
const char *dv_votes_set_name (DvVotesSet set);
gboolean dv_votes_set_from_name (const char *name, DvVotesSet *set, GError **error);

typedef struct {
  guint n;
  int size;
  guint8 *pixels;     /* [n][size][size][3] */
  guint8 *labels;     /* [n] */
  guint32 *objects;   /* [n] the object in its split */
  guint8 *views;      /* [n] which view (front, right, back, left) */
  guint8 *generated;  /* [n] 1 for a generated view */
} DvVotesDataset;

/* The given (real) view of each object of split c or e. */
gboolean dv_votes_dataset_init_real (DvVotesDataset *ds, const DvMultiviewSet *set, GError **error);
/* The given view and the three others of views4[n][V][S][S][3] (dv_generated_views_get), object by object:
 * 4 images per object, the real one first. */
gboolean dv_votes_dataset_init_augmented (DvVotesDataset *ds, const DvMultiviewSet *set, const guint8 *views4,
                                          GError **error);
void dv_votes_dataset_clear (DvVotesDataset *ds);

typedef struct {
  gboolean flip;  /* mirror left–right with probability 1/2 */
  int shift;      /* translate by up to ± shift pixels each way, white where it uncovers; 0 = none */
} DvVotesAugment;

/* flip on, shift 4 (the trainer's default). */
void dv_votes_augment_init (DvVotesAugment *aug);

/* images[B][3][S][S] in [0, 1] and labels[B] of samples indices[B]; aug NULL (or all off) leaves the images as
 * they are; rng is only drawn from when aug does something (3 draws per image). */
void dv_votes_dataset_fill (const DvVotesDataset *ds, const guint32 *indices, int B, const DvVotesAugment *aug,
                            DvRng *rng, float *images, int *labels);

G_END_DECLS
