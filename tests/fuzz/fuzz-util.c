#include "fuzz-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int fd = -1;
static char path[64];

const char *
dv_fuzz_file (const uint8_t *data, size_t size)
{
  if (fd < 0)
    {
      fd = memfd_create ("dv-fuzz-input", 0);
      if (fd < 0)
        abort ();
      snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
    }
  if (ftruncate (fd, 0) != 0 || pwrite (fd, data, size, 0) != (ssize_t) size)
    abort ();
  return path;
}

static void
drop_message (const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
}

void
dv_fuzz_quiet (void)
{
  g_log_set_default_handler (drop_message, NULL);
}
