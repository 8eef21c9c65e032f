/* libFuzzer: the configuration JSON the engine reads — the Playground's run
 * settings (train config and sampler, as a Playground configuration file or a
 * checkpoint's metadata holds them), the view autoencoder's and the score
 * model's and the classifiers' configs (from weight metadata), and the Votes
 * page's evaluation file (per-object predictions). The first byte picks the
 * parser. */
#include "toy/sampler_config.h"
#include "toy/train.h"
#include "views/autoencoder.h"
#include "views/score_net.h"
#include "votes/classifier.h"
#include "votes/predictions.h"

#include <json-glib/json-glib.h>
#include <stdint.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  char *json = g_strndup ((const char *) data + 1, size - 1);
  GError *error = NULL;
  switch (data[0] % 6)
    {
    case 0:
      {
        DvToyTrainConfig cfg;
        if (dv_toy_train_config_from_json_string (&cfg, json, &error))
          {
            char *back = dv_toy_train_config_to_json_string (&cfg);
            DvToyTrainConfig again;
            if (!dv_toy_train_config_from_json_string (&again, back, NULL))
              __builtin_trap ();  /* what we write we read */
            g_free (back);
          }
        break;
      }
    case 1:
      {
        JsonParser *parser = json_parser_new ();
        if (json_parser_load_from_data (parser, json, -1, NULL) && json_parser_get_root (parser) != NULL &&
            JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
          {
            DvToySamplerConfig sampler;
            dv_toy_sampler_config_init (&sampler);
            if (dv_toy_sampler_config_from_json (&sampler, json_node_get_object (json_parser_get_root (parser)),
                                                 &error))
              dv_toy_sampler_config_check (&sampler, 100, NULL);
          }
        g_object_unref (parser);
        break;
      }
    case 2:
      {
        DvAutoencoderConfig config;
        dv_autoencoder_config_init (&config);
        if (dv_autoencoder_config_from_json (&config, json, &error) && !dv_autoencoder_config_check (&config, NULL))
          __builtin_trap ();  /* from_json hands back only valid configs */
        break;
      }
    case 4:
      {
        DvClassifierConfig config;
        dv_classifier_config_init (&config, DV_CLASSIFIER_RESNET18);
        if (dv_classifier_config_from_json (&config, json, &error) && !dv_classifier_config_check (&config, NULL))
          __builtin_trap ();
        break;
      }
    case 5:
      {
        DvVotesPredictions p;
        if (dv_votes_predictions_from_json (&p, json, &error))
          {
            /* Every class and view in range, and what we write we read. */
            for (guint o = 0; o < p.n_objects; o++)
              if (p.labels[o] >= p.n_classes || p.given_views[o] >= 4)
                __builtin_trap ();
            for (guint i = 0; i < p.classifiers->len; i++)
              {
                const DvVotesPredictionsEntry *e = p.classifiers->pdata[i];
                for (guint o = 0; o < p.n_objects; o++)
                  if (e->predicted_e[o] < 0 || e->predicted_e[o] >= p.n_classes || e->predicted_ea[o] < 0
                      || e->predicted_ea[o] >= p.n_classes)
                    __builtin_trap ();
              }
            char *back = dv_votes_predictions_to_json (&p);
            DvVotesPredictions again;
            if (!dv_votes_predictions_from_json (&again, back, NULL))
              __builtin_trap ();
            dv_votes_predictions_clear (&again);
            dv_votes_predictions_clear (&p);
            g_free (back);
          }
        break;
      }
    case 3:
    default:
      {
        DvScoreNetConfig config;
        if (dv_score_net_config_from_json (&config, json, &error) && !dv_score_net_config_check (&config, NULL))
          __builtin_trap ();
        break;
      }
    }
  g_clear_error (&error);
  g_free (json);
  return 0;
}
