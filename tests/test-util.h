/* Helpers shared by the tests, engine and GUI alike. */
#pragma once

#include <glib.h>

/* Removes path: a file, or a directory with everything in it (symbolic
 * links are removed, not followed). */
void dv_test_remove_tree (const char *path);
