/* Crash safety of training from the command line: each trainer (toy, view
 * autoencoder, score model), on tiny data, is killed with SIGKILL at random
 * moments (drawn from the test's seed: run with --seed to replay); after
 * every kill its checkpoint is either absent (killed before the first one)
 * or whole and loadable, never half-written, and resuming from it continues
 * from its step (never back): a last resumed run checkpoints further on.
 * DV_DIMVIDA names the binary. */
#include "toy/train.h"
#include "views/multiview.h"

#include "gui/tiny-views-weights.h"
#include "io/safetensors.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#define KILLS 4

static char *dir;
static char *data_dir;

typedef struct {
  const char *name;
  const char *checkpoint;  /* file name in the output directory */
  gint64 steps;
  int min_ms, max_ms;      /* when to kill, after the start */
  /* argv after the program, without --resume; the output directory is appended by the caller */
  const char *const *args;
  gint64 (*checkpoint_step) (const char *path, GError **error);
} Trainer;

static gint64
metadata_step (const char *path, GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (st == NULL)
    return -1;
  /* Loadable means every tensor reads back (shapes, bounds, finite values). */
  for (const char *const *name = dv_safetensors_names (st); *name != NULL; name++)
    {
      int ndim, shape[4];
      dv_safetensors_shape (st, *name, &ndim, shape, NULL);
      g_autofree float *values = g_new (float, MAX (dv_shape_numel (ndim, shape), 1));
      if (!dv_safetensors_read (st, *name, ndim, shape, values, error))
        return -1;
    }
  const char *step = dv_safetensors_metadata (st, "step");
  gint64 value = -1;
  if (step == NULL || !g_ascii_string_to_signed (step, 10, 0, G_MAXINT64, &value, error))
    return -1;
  return value;
}

static gint64
toy_checkpoint_step (const char *path, GError **error)
{
  static const float xy[20] = { 0 };
  g_autoptr (DvToyTrainer) tr = dv_toy_trainer_load (path, xy, 10, error);
  return tr != NULL ? dv_toy_trainer_get_step (tr) : -1;
}

/* Starts the trainer; kill_ms > 0: SIGKILL after that long (if still running). Returns its wait status. */
static int
run (const Trainer *t, const char *out, const char *resume, int kill_ms)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) g_getenv ("DV_DIMVIDA"));
  for (int i = 0; t->args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) t->args[i]);
  g_ptr_array_add (argv, "--out");
  g_ptr_array_add (argv, (gpointer) out);
  if (resume != NULL)
    {
      g_ptr_array_add (argv, "--resume");
      g_ptr_array_add (argv, (gpointer) resume);
    }
  g_ptr_array_add (argv, NULL);
  GPid pid;
  GError *error = NULL;
  g_assert_true (g_spawn_async (NULL, (char **) argv->pdata, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  g_ptr_array_unref (argv);
  int status = 0;
  const gint64 deadline = g_get_monotonic_time () + (gint64) kill_ms * 1000;
  for (;;)
    {
      pid_t done = waitpid (pid, &status, WNOHANG);
      g_assert_cmpint (done, >=, 0);
      if (done == pid)
        break;
      if (kill_ms > 0 && g_get_monotonic_time () >= deadline)
        {
          kill (pid, SIGKILL);
          g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
          break;
        }
      g_usleep (2000);
    }
  g_spawn_close_pid (pid);
  return status;
}

static void
check_trainer (gconstpointer data)
{
  const Trainer *t = data;
  g_autofree char *out = g_build_filename (dir, t->name, NULL);
  g_autofree char *ckpt = g_build_filename (out, t->checkpoint, NULL);
  gint64 last_step = 0;
  int kills_with_checkpoint = 0;
  for (int k = 0; k < KILLS; k++)
    {
      const gboolean have = g_file_test (ckpt, G_FILE_TEST_EXISTS);
      const int kill_ms = g_test_rand_int_range (t->min_ms, t->max_ms);
      int status = run (t, out, have ? ckpt : NULL, kill_ms);
      const gboolean killed = WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;
      if (!killed)
        g_error ("%s: run %d ended by itself (status %d) before its kill at %d ms: make it longer", t->name, k,
                 status, kill_ms);
      if (!g_file_test (ckpt, G_FILE_TEST_EXISTS))
        {
          g_test_message ("%s: killed at %d ms, before its first checkpoint", t->name, kill_ms);
          g_assert_false (have);
          continue;
        }
      g_autoptr (GError) error = NULL;
      gint64 step = t->checkpoint_step (ckpt, &error);
      if (step < 0)
        g_error ("%s: after a kill at %d ms the checkpoint does not load: %s", t->name, kill_ms,
                 error ? error->message : "?");
      g_test_message ("%s: killed at %d ms; checkpoint at step %" G_GINT64_FORMAT " loads", t->name, kill_ms, step);
      g_assert_cmpint (step, >=, last_step);
      g_assert_cmpint (step, <, t->steps);
      last_step = step;
      kills_with_checkpoint++;
    }
  /* At least one kill must have found a checkpoint, or the test tested nothing. */
  g_assert_cmpint (kills_with_checkpoint, >, 0);
  /* A last resumed run goes on from the checkpoint: its own checkpoint is further on. */
  /* On an idle machine it may also reach the end first: either way it must not fail. */
  int status = run (t, out, ckpt, t->max_ms);
  g_assert_true (WIFSIGNALED (status) || (WIFEXITED (status) && WEXITSTATUS (status) == 0));
  g_autoptr (GError) error = NULL;
  gint64 step = t->checkpoint_step (ckpt, &error);
  g_assert_no_error (error);
  g_test_message ("%s: the last resumed run checkpointed step %" G_GINT64_FORMAT, t->name, step);
  g_assert_cmpint (step, >, last_step);
  /* Killed writes leave only the temporary files of g_file_set_contents (never the checkpoint itself). */
  g_autoptr (GDir) d = g_dir_open (out, 0, NULL);
  int stray = 0;
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    if (g_str_has_prefix (name, t->checkpoint) && strcmp (name, t->checkpoint) != 0)
      stray++;
  g_test_message ("%s: %d temporary files left by killed writes", t->name, stray);
}

static const char *const toy_args[] = { "toy", "train", "--steps", "2000000", "--hidden", "16", "--emb", "8",
                                        "--blocks", "1", "--batch", "64", "--points", "400", "--threads", "1",
                                        "--print-every", "0", "--checkpoint-seconds", "0", "--seed", "3", NULL };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("dv-crash-XXXXXX", NULL);
  data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *weights = g_build_filename (dir, "weights", NULL);
  g_autofree char *ae = g_build_filename (weights, "autoencoder.safetensors", NULL);

  /* A dataset of one object per class and split, and a tiny autoencoder for the score model. */
  DvMultiviewConfig config;
  dv_multiview_config_init (&config);
  config.per_class[DV_SPLIT_D] = config.per_class[DV_SPLIT_C] = config.per_class[DV_SPLIT_E] = 1;
  config.write_png = FALSE;
  config.n_threads = 1;
  g_assert_true (dv_multiview_dataset_write (&config, data_dir, NULL, NULL, NULL, NULL));
  g_assert_true (tiny_views_weights_write (weights, FALSE, NULL));

  const char *ae_args[] = { "views", "train-ae", "--data", data_dir, "--steps", "100000", "--batch", "2",
                            "--threads", "1", "--checkpoint-seconds", "1", NULL };
  const char *score_args[] = { "views", "train-score", "--data", data_dir, "--ae", ae, "--steps", "10000000",
                               "--width", "32", "--batch", "8", "--threads", "1", "--checkpoint-seconds", "1",
                               NULL };
  const Trainer trainers[] = {
    { "toy", "model.safetensors", 2000000, 50, 900, toy_args, toy_checkpoint_step },
    { "autoencoder", "checkpoint.safetensors", 100000, 300, 3500, ae_args, metadata_step },
    { "score", "checkpoint.safetensors", 10000000, 300, 3500, score_args, metadata_step },
  };
  g_test_add_data_func ("/cli/crash-safety/toy", &trainers[0], check_trainer);
  g_test_add_data_func ("/cli/crash-safety/autoencoder", &trainers[1], check_trainer);
  g_test_add_data_func ("/cli/crash-safety/score", &trainers[2], check_trainer);
  int status = g_test_run ();
  dv_test_remove_tree (dir);
  g_free (data_dir);
  g_free (dir);
  return status;
}
