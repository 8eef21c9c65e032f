/* The per-object predictions of classifiers on split e and ea, as `dimvida
 * votes table --predictions FILE` writes them and the Votes page's confusion
 * matrix reads them: which classifiers (file name, SHA-256 of the file's
 * bytes, architecture, training set, seed), the class names, and for every
 * object of split e its class, index within its class, given view (so that
 * dv_multiview_object re-renders it from the dataset seed alone) and, per
 * classifier, the class predicted on e (the real view) and on ea (the mean
 * vote of the real and the 3 generated views).
 *
 * The file is JSON (json-glib), written atomically:
 *   { "format": "dimvida-votes-predictions-1", "split": "e", "dataset_seed": 1,
 *     "command": "…", "class_names": [13 names],
 *     "score_model_sha256", "autoencoder_sha256": the files that generated ea's views (or null),
 *     "objects": { "class": [n], "index": [n], "view": [n] },
 *     "classifiers": [ { "file", "sha256", "arch", "set", "seed",
 *                        "predicted_e": [n], "predicted_ea": [n] }, … ] } */
#pragma once

#include "votes/classifier.h"
#include "votes/dataset.h"
#include "votes/evaluate.h"
#include "votes/vote.h"
#include "views/multiview.h"

G_BEGIN_DECLS

#define DV_VOTES_PREDICTIONS_FORMAT "dimvida-votes-predictions-1"
/* The name of the shipped file beside the classifiers (data/weights/votes/). */
#define DV_VOTES_PREDICTIONS_FILE "evaluation.json"

typedef struct {
  char *file;          /* the classifier file's base name */
  char *sha256;        /* hex SHA-256 of its bytes (dv_votes_file_sha256) */
  DvClassifierArch arch;
  DvVotesSet set;
  char *seed;          /* its "seed" metadata, or NULL */
  int *predicted_e;    /* [n_objects] */
  int *predicted_ea;   /* [n_objects] */
} DvVotesPredictionsEntry;

typedef struct {
  guint64 dataset_seed;
  char *command;            /* provenance, or NULL */
  /* SHA-256 of the bytes of the score model and autoencoder files whose generated views ea votes on (NULL when
   * not recorded): the e predictions depend on the classifier alone, the ea ones on these too. */
  char *score_model_sha256;
  char *autoencoder_sha256;
  int n_classes;
  char **class_names;       /* [n_classes], NULL-terminated */
  guint n_objects;
  guint8 *labels;           /* [n_objects] true class */
  guint32 *object_indices;  /* [n_objects] index within its class in split e */
  guint8 *given_views;      /* [n_objects] the real view shown */
  GPtrArray *classifiers;   /* of DvVotesPredictionsEntry * */
} DvVotesPredictions;

/* Empty, with split e's objects (set->split must be DV_SPLIT_E) and class_names[n_classes] copied. */
void dv_votes_predictions_init (DvVotesPredictions *predictions, const DvMultiviewSet *set,
                                const char *const *class_names, int n_classes);
void dv_votes_predictions_clear (DvVotesPredictions *predictions);

/* Adds an evaluation of that set with generated views (evaluation->predicted_ea not NULL). */
void dv_votes_predictions_add (DvVotesPredictions *predictions, const char *file, const char *sha256,
                               DvClassifierArch arch, DvVotesSet set, const char *seed,
                               const DvVotesEvaluation *evaluation);
/* The first classifier of that architecture and set, or NULL. */
const DvVotesPredictionsEntry *dv_votes_predictions_find (const DvVotesPredictions *predictions,
                                                         DvClassifierArch arch, DvVotesSet set);
/* confusion (initialised here, to clear) of entry on split e or, ea TRUE, split ea. */
void dv_votes_predictions_confusion (const DvVotesPredictions *predictions, const DvVotesPredictionsEntry *entry,
                                     gboolean ea, DvVoteConfusion *confusion);
/* The objects (positions in split e) of the cell truth × predicted, in split order, to g_array_unref (guint). */
GArray *dv_votes_predictions_cell (const DvVotesPredictions *predictions, const DvVotesPredictionsEntry *entry,
                                   gboolean ea, int truth, int predicted);

char *dv_votes_predictions_to_json (const DvVotesPredictions *predictions);
/* Refuses another format, a missing or mistyped member, arrays of the wrong length and classes or views out of
 * range, naming what is wrong (DV_ERROR_FORMAT). predictions is initialised here (cleared on failure). */
gboolean dv_votes_predictions_from_json (DvVotesPredictions *predictions, const char *json, GError **error);
gboolean dv_votes_predictions_save (const DvVotesPredictions *predictions, const char *path, GError **error);
/* As from_json, the path named in errors. */
gboolean dv_votes_predictions_load (DvVotesPredictions *predictions, const char *path, GError **error);

/* Hex SHA-256 of a file's bytes, to g_free; NULL with an error when it cannot be read. */
char *dv_votes_file_sha256 (const char *path, GError **error);

G_END_DECLS
