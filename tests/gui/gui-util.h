/* Helpers shared by the in-process GUI tests: starting the application,
 * turning the main loop and looking for widgets. */
#pragma once

#include <gtk/gtk.h>

#include "dv-application.h"

/* Keeps the test to itself, before gtk_test_init: settings in the given
 * GSettings backend ("memory", or "keyfile" under $XDG_CONFIG_HOME), no
 * session bus (CI has none), no accessibility bus; English messages unless
 * the test is about translations. */
void gui_test_isolate (const char *settings_backend, gboolean in_english);
/* After gtk_test_init: the application, registered and activated, with its
 * window shown. */
DvApplication *gui_test_start_app (void);

/* Turns the main loop for ms milliseconds. */
void spin (guint ms);
/* Turns the main loop until cond (data) holds; fails the test after `seconds`. */
void wait_for (gboolean (*cond) (gpointer), gpointer data, guint seconds, const char *what);
/* root or its first descendant (depth first) for which match (widget, data)
 * holds, or NULL. */
GtkWidget *find_descendant_where (GtkWidget *root, gboolean (*match) (GtkWidget *, gconstpointer),
                                  gconstpointer data);
/* root or its first descendant of the given type, or NULL. */
GtkWidget *find_descendant (GtkWidget *root, GType type);
/* TRUE if a mapped label under root contains text. */
gboolean has_label_containing (GtkWidget *root, const char *text);
