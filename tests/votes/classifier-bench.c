/* Times one classifier training step (forward in training mode, softmax
 * cross-entropy, backward, Adam) on random 64×64 images, for bench/classifier_torch.py
 * and for choosing the default width multipliers:
 *   dv-classifier-bench ARCH WIDTH [BATCH [STEPS [THREADS]]]
 * Prints one JSON line: arch, width, parameters, batch, threads, the median and
 * the mean of the timed steps in ms (after 2 untimed ones), and the forward's mean. */
#include "votes/classifier.h"
#include "core/blas.h"
#include "nn/adam.h"
#include "nn/conv2d.h"
#include "nn/softmax_xent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  dv_blas_choose_kernel (argc, argv);
  if (argc < 3)
    {
      fprintf (stderr, "usage: dv-classifier-bench resnet18|mobilenet WIDTH [BATCH [STEPS [THREADS]]]\n");
      return 2;
    }
  g_autoptr (GError) error = NULL;
  DvClassifierConfig config;
  DvClassifierArch arch;
  if (!dv_classifier_arch_from_name (argv[1], &arch, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  dv_classifier_config_init (&config, arch);
  config.width = g_ascii_strtod (argv[2], NULL);
  const int B = argc > 3 ? atoi (argv[3]) : 64, steps = argc > 4 ? atoi (argv[4]) : 10;
  const int threads = argc > 5 ? atoi (argv[5]) : 2;
  if (!dv_classifier_config_check (&config, &error) || B < 2 || steps < 1 || threads < 1)
    {
      fprintf (stderr, "%s\n", error ? error->message : "bad batch, steps or threads");
      return 2;
    }
  dv_blas_set_threads (threads);
  dv_conv2d_set_threads (threads);
  g_autoptr (DvClassifier) c = dv_classifier_new (&config);
  dv_classifier_init_weights (c, 1);
  DvParams *p = dv_classifier_params (c);
  const int S = config.image_size, K = config.n_classes;
  DvRng rng;
  dv_rng_init (&rng, 2);
  g_autofree float *images = g_new (float, (size_t) B * 3 * S * S);
  dv_rng_fill_uniform (&rng, images, (size_t) B * 3 * S * S, 0.0f, 1.0f);
  g_autofree int *labels = g_new (int, B);
  for (int i = 0; i < B; i++)
    labels[i] = (int) dv_rng_below (&rng, K);
  g_autofree float *logits = g_new (float, B * K), *probs = g_new (float, B * K), *dlogits = g_new (float, B * K);
  g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (c, B);
  DvAdam adam;
  dv_adam_init (&adam, p->count, 1e-3f);
  g_autofree double *ms = g_new (double, steps);
  double forward_ms = 0;
  for (int step = -2; step < steps; step++)
    {
      gint64 t0 = g_get_monotonic_time ();
      dv_classifier_forward (c, p->data, buf, logits, images, B, TRUE, &rng);
      gint64 t1 = g_get_monotonic_time ();
      dv_softmax_xent_forward (probs, logits, labels, B, K);
      memset (dlogits, 0, sizeof (float) * B * K);
      dv_softmax_xent_backward (dlogits, probs, labels, B, K, 1.0f);
      dv_params_zero_grad (p);
      dv_classifier_backward (c, p->data, p->grad, buf, dlogits, B);
      dv_adam_step (&adam, p->data, p->grad, adam.lr);
      if (step >= 0)
        {
          ms[step] = (g_get_monotonic_time () - t0) / 1000.0;
          forward_ms += (t1 - t0) / 1000.0 / steps;
        }
    }
  size_t n_parameters = 0;
  for (guint i = 0; i < dv_params_n_tensors (p); i++)
    n_parameters += dv_params_info (p, i)->numel;
  double mean = 0;
  for (int i = 0; i < steps; i++)
    mean += ms[i] / steps;
  qsort (ms, steps, sizeof (double), compare_doubles);
  printf ("{\"arch\":\"%s\",\"width\":%g,\"parameters\":%zu,\"batch\":%d,\"threads\":%d,\"conv\":\"%s\","
          "\"median_ms\":%.2f,\"mean_ms\":%.2f,\"forward_mean_ms\":%.2f}\n",
          argv[1], config.width, n_parameters, B, threads, dv_conv2d_backend_name (), ms[steps / 2], mean, forward_ms);
  dv_adam_clear (&adam);
  return 0;
}
