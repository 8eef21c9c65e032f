/* libFuzzer: each network's weight loader on top of the safetensors reader,
 * as the app and the CLI call them: the Playground checkpoint (config, then
 * resume on a few points), the view autoencoder, the score model, the Votes
 * classifiers. */
#include "toy/train.h"
#include "views/autoencoder.h"
#include "views/score_model.h"
#include "votes/classifier.h"

#include "fuzz-util.h"

#include <stdint.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = dv_fuzz_file (data, size);
  GError *error = NULL;

  DvToyTrainConfig cfg;
  if (dv_toy_checkpoint_read_config (path, &cfg, &error))
    {
      static const float xy[20] = { 0, 0, 1, 1, 2, 0, 0, 2, 1, 0, 0, 1, 2, 2, 1, 2, 2, 1, 3, 3 };
      DvToyTrainer *tr = dv_toy_trainer_load (path, xy, 10, &error);
      if (tr != NULL)
        dv_toy_trainer_free (tr);
    }
  g_clear_error (&error);

  DvAutoencoder *ae = dv_autoencoder_load (path, &error);
  if (ae != NULL)
    {
      if (!dv_params_all_finite (&ae->params))
        __builtin_trap ();  /* non-finite weights must be refused on load */
      dv_autoencoder_free (ae);
    }
  g_clear_error (&error);

  DvScoreModel *model = dv_score_model_load (path, &error);
  if (model != NULL)
    dv_score_model_free (model);
  g_clear_error (&error);

  GHashTable *metadata = NULL;
  DvClassifier *classifier = dv_classifier_load (path, &metadata, &error);
  if (classifier != NULL)
    {
      if (!dv_params_all_finite (dv_classifier_params (classifier)))
        __builtin_trap ();
      dv_classifier_free (classifier);
      g_hash_table_unref (metadata);
    }
  g_clear_error (&error);
  return 0;
}
