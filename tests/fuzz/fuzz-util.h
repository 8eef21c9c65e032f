/* Helpers of the libFuzzer harnesses (tests/fuzz/, built with -Dfuzzing=true,
 * see docs/fuzzing.md): loaders that take a path get the input through an
 * in-memory file, /proc/self/fd/N of a memfd, rewritten for each input. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* A path whose file holds exactly data[size] (valid until the next call). */
const char *dv_fuzz_file (const uint8_t *data, size_t size);
/* Quiets GLib's log handlers (the loaders' warnings are expected here). */
void dv_fuzz_quiet (void);
