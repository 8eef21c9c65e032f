/* The vote maths on hand-made numbers (softmax, the mean of the views'
 * softmaxes and its argmax, where one confident view outvotes three lukewarm
 * ones or not), the confusion matrix and accuracy, and the image sets c, ca
 * and their batches (real view first, labels, flip and shift). */
#include "test-util.h"
#include "votes/dataset.h"
#include "votes/vote.h"

#include <math.h>
#include <string.h>

static void
test_softmax (void)
{
  const float logits[2 * 3] = { 0.0f, 0.0f, 0.0f, 1.0f, 2.0f, 3.0f };
  float p[6];
  dv_vote_softmax (p, logits, 2, 3);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat_with_epsilon (p[c], 1.0f / 3.0f, 1e-6f);
  /* e^-2, e^-1, 1 over their sum. */
  const double s = exp (-2.0) + exp (-1.0) + 1.0;
  g_assert_cmpfloat_with_epsilon (p[3], exp (-2.0) / s, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[4], exp (-1.0) / s, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[5], 1.0 / s, 1e-6);
  /* Large logits do not overflow. */
  const float big[3] = { 1000.0f, 999.0f, -1000.0f };
  dv_vote_softmax (p, big, 1, 3);
  g_assert_cmpfloat_with_epsilon (p[0], 1.0 / (1.0 + exp (-1.0)), 1e-6);
  g_assert_cmpfloat (p[2], ==, 0.0f);
}

static void
test_mean_vote (void)
{
  /* 4 views × 3 classes: the real view is sure of class 0; three generated views lean to class 1. */
  const float probs[4 * 3] = {
    0.94f, 0.03f, 0.03f,
    0.30f, 0.40f, 0.30f,
    0.30f, 0.40f, 0.30f,
    0.30f, 0.40f, 0.30f,
  };
  float mean[3];
  /* Means: 0.46, 0.3075, 0.2325 → class 0, though 3 of 4 views say 1 (a vote of means, not of argmaxes). */
  g_assert_cmpint (dv_vote_mean (mean, probs, 4, 3), ==, 0);
  g_assert_cmpfloat_with_epsilon (mean[0], 0.46f, 1e-6f);
  g_assert_cmpfloat_with_epsilon (mean[1], 0.3075f, 1e-6f);
  g_assert_cmpfloat_with_epsilon (mean[2], 0.2325f, 1e-6f);
  /* A less sure real view is outvoted: 0.5 → means 0.35, 0.3625, 0.2875 → class 1. */
  float p2[4 * 3];
  memcpy (p2, probs, sizeof p2);
  p2[0] = 0.50f, p2[1] = 0.25f, p2[2] = 0.25f;
  g_assert_cmpint (dv_vote_mean (mean, p2, 4, 3), ==, 1);
  g_assert_cmpfloat_with_epsilon (mean[0], 0.35f, 1e-6f);
  g_assert_cmpfloat_with_epsilon (mean[1], 0.3625f, 1e-6f);
  /* One view: its own argmax. Ties: the first. */
  g_assert_cmpint (dv_vote_mean (mean, probs + 3, 1, 3), ==, 1);
  const float tie[3] = { 0.25f, 0.5f, 0.5f };
  g_assert_cmpint (dv_vote_argmax (tie, 3), ==, 1);
  /* Through softmax: logits of 2 views. */
  const float logits[2 * 2] = { 2.0f, 0.0f, 0.0f, 1.0f };
  float p[4];
  dv_vote_softmax (p, logits, 2, 2);
  const float s0 = 1.0f / (1.0f + expf (-2.0f)), s1 = 1.0f / (1.0f + expf (1.0f));
  g_assert_cmpint (dv_vote_mean (mean, p, 2, 2), ==, 0);
  g_assert_cmpfloat_with_epsilon (mean[0], (s0 + s1) / 2.0f, 1e-6f);
}

static void
test_confusion (void)
{
  DvVoteConfusion m;
  dv_vote_confusion_init (&m, 3);
  g_assert_cmpfloat (dv_vote_confusion_accuracy (&m), ==, 0.0);
  const int truth[6] = { 0, 0, 1, 1, 2, 2 }, pred[6] = { 0, 1, 1, 1, 0, 2 };
  for (int i = 0; i < 6; i++)
    dv_vote_confusion_add (&m, truth[i], pred[i]);
  g_assert_cmpuint (m.total, ==, 6);
  g_assert_cmpuint (m.counts[0 * 3 + 1], ==, 1);
  g_assert_cmpuint (m.counts[2 * 3 + 0], ==, 1);
  g_assert_cmpuint (m.counts[1 * 3 + 1], ==, 2);
  g_assert_cmpfloat_with_epsilon (dv_vote_confusion_accuracy (&m), 4.0 / 6.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (dv_vote_confusion_class_accuracy (&m, 0), 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (dv_vote_confusion_class_accuracy (&m, 1), 1.0, 1e-12);
  const char *names[3] = { "apple", "pear", "plum" };
  g_autofree char *text = dv_vote_confusion_to_text (&m, names);
  g_assert_nonnull (strstr (text, "pear"));
  g_assert_nonnull (strstr (text, "100.0%"));
  g_assert_nonnull (strstr (text, "50.0%"));
  dv_vote_confusion_clear (&m);
}

#define S 8

static void
tiny_set (DvMultiviewSet *set, guint n)
{
  memset (set, 0, sizeof *set);
  set->split = DV_SPLIT_C;
  set->n_objects = n;
  set->n_views = 4;
  set->height = set->width = S;
  set->labels = g_new0 (guint8, n);
  set->given_views = g_new0 (guint8, n);
  set->object_indices = g_new0 (guint32, n);
  set->pixels = g_new (guint8, (size_t) n * 4 * S * S * 3);
  for (guint o = 0; o < n; o++)
    {
      set->labels[o] = (guint8) (o % 5);
      set->given_views[o] = (guint8) (3 - o % 4);
      /* Each view filled with one value that names it: 10·object + view. */
      for (int v = 0; v < 4; v++)
        memset (set->pixels + ((size_t) o * 4 + v) * S * S * 3, (int) (10 * o + v), S * S * 3);
    }
}

static void
test_datasets (void)
{
  DvMultiviewSet set;
  tiny_set (&set, 5);
  g_autoptr (GError) error = NULL;
  DvVotesDataset c, ca;
  g_assert_true (dv_votes_dataset_init_real (&c, &set, &error));
  g_assert_cmpuint (c.n, ==, 5);
  for (guint o = 0; o < 5; o++)
    {
      g_assert_cmpint (c.pixels[(size_t) o * S * S * 3], ==, 10 * o + set.given_views[o]);
      g_assert_cmpint (c.labels[o], ==, o % 5);
      g_assert_cmpint (c.views[o], ==, set.given_views[o]);
      g_assert_false (c.generated[o]);
    }
  /* Generated views: here the set's own other views stand in, with 100 added to tell them apart. */
  g_autofree guint8 *views4 = g_memdup2 (set.pixels, (size_t) 5 * 4 * S * S * 3);
  for (guint o = 0; o < 5; o++)
    for (int v = 0; v < 4; v++)
      if (v != set.given_views[o])
        memset (views4 + ((size_t) o * 4 + v) * S * S * 3, (int) (100 + 10 * o + v), S * S * 3);
  g_assert_true (dv_votes_dataset_init_augmented (&ca, &set, views4, &error));
  g_assert_cmpuint (ca.n, ==, 20);
  for (guint k = 0; k < 20; k++)
    {
      const guint o = k / 4;
      g_assert_cmpuint (ca.objects[k], ==, o);
      g_assert_cmpint (ca.labels[k], ==, o % 5);
      const guint8 first = ca.pixels[(size_t) k * S * S * 3];
      if (k % 4 == 0)
        {
          g_assert_cmpint (ca.views[k], ==, set.given_views[o]);
          g_assert_false (ca.generated[k]);
          g_assert_cmpint (first, ==, 10 * o + set.given_views[o]);
        }
      else
        {
          g_assert_true (ca.generated[k]);
          g_assert_cmpint (ca.views[k], !=, set.given_views[o]);
          g_assert_cmpint (first, ==, 100 + 10 * o + ca.views[k]);
        }
    }
  /* The three generated views of an object are its three other views, each once. */
  g_assert_cmpint (ca.views[1] + ca.views[2] + ca.views[3] + ca.views[0], ==, 0 + 1 + 2 + 3);

  /* A batch without augmentation: exact values, CHW. */
  const guint32 idx[2] = { 3, 0 };
  float img[2 * 3 * S * S];
  int labels[2];
  dv_votes_dataset_fill (&c, idx, 2, NULL, NULL, img, labels);
  g_assert_cmpint (labels[0], ==, 3);
  g_assert_cmpint (labels[1], ==, 0);
  g_assert_cmpfloat_with_epsilon (img[0], (10 * 3 + set.given_views[3]) / 255.0f, 1e-7f);
  g_assert_cmpfloat_with_epsilon (img[3 * S * S + 5], (0 + set.given_views[0]) / 255.0f, 1e-7f);

  /* Flip only: a left–right ramp comes back mirrored on some draws, as it is on the others. */
  for (int y = 0; y < S; y++)
    for (int x = 0; x < S; x++)
      for (int ch = 0; ch < 3; ch++)
        c.pixels[3 * (y * S + x) + ch] = (guint8) (x * 20);
  DvVotesAugment aug = { .flip = TRUE, .shift = 0 };
  DvRng rng;
  dv_rng_init (&rng, 4);
  int flipped = 0, plain = 0;
  const guint32 zero[1] = { 0 };
  for (int r = 0; r < 40; r++)
    {
      dv_votes_dataset_fill (&c, zero, 1, &aug, &rng, img, labels);
      if (img[0] == (S - 1) * 20 / 255.0f)
        flipped++;
      else if (img[0] == 0.0f && img[S - 1] == (S - 1) * 20 / 255.0f)
        plain++;
    }
  g_assert_cmpint (flipped + plain, ==, 40);
  g_assert_cmpint (flipped, >, 5);
  g_assert_cmpint (plain, >, 5);
  /* Shift: some image shows white uncovered pixels at an edge column. */
  aug = (DvVotesAugment) { .flip = FALSE, .shift = 2 };
  gboolean white_edge = FALSE;
  for (int r = 0; r < 20; r++)
    {
      dv_votes_dataset_fill (&c, zero, 1, &aug, &rng, img, labels);
      white_edge |= img[0] == 1.0f || img[S - 1] == 1.0f;
    }
  g_assert_true (white_edge);
  dv_votes_dataset_clear (&c);
  dv_votes_dataset_clear (&ca);

  /* Split d and names. */
  set.split = DV_SPLIT_D;
  g_assert_false (dv_votes_dataset_init_real (&c, &set, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);
  DvVotesSet which;
  g_assert_true (dv_votes_set_from_name ("m", &which, &error));
  g_assert_cmpint (which, ==, DV_VOTES_SET_M);
  g_assert_false (dv_votes_set_from_name ("x", &which, &error));
  g_assert_nonnull (strstr (error->message, "Ω_s"));
  dv_multiview_set_clear (&set);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/votes/vote/softmax", test_softmax);
  g_test_add_func ("/votes/vote/mean", test_mean_vote);
  g_test_add_func ("/votes/vote/confusion", test_confusion);
  g_test_add_func ("/votes/dataset/sets", test_datasets);
  return g_test_run ();
}
