#include "core/data_file.h"

#include "dv-config.h"

char *
dv_find_data_file (const char *basename, GError **error)
{
  const char *dirs[] = { g_getenv ("DIMVIDA_DATADIR"), DV_PKGDATADIR, DV_SOURCE_DATADIR };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      if (dirs[i] == NULL || dirs[i][0] == '\0')
        continue;
      char *path = g_build_filename (dirs[i], basename, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
    }
  g_set_error (error, DV_ERROR, DV_ERROR_IO, "Cannot find the data file %s (looked in $DIMVIDA_DATADIR, %s and %s)",
               basename, DV_PKGDATADIR, DV_SOURCE_DATADIR);
  return NULL;
}
