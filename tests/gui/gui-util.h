/* Helpers shared by the in-process GUI tests: turning the main loop and
 * looking for widgets. */
#pragma once

#include <gtk/gtk.h>

/* Turns the main loop for ms milliseconds. */
void spin (guint ms);
/* Turns the main loop until cond (data) holds; fails the test after `seconds`. */
void wait_for (gboolean (*cond) (gpointer), gpointer data, guint seconds, const char *what);
/* root or its first descendant of the given type, or NULL. */
GtkWidget *find_descendant (GtkWidget *root, GType type);
/* TRUE if a mapped label under root contains text. */
gboolean has_label_containing (GtkWidget *root, const char *text);
