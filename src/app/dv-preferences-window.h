/* DvPreferencesWindow: style, engine threads and sampling steps, stored in GSettings as they change. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DV_TYPE_PREFERENCES_WINDOW (dv_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (DvPreferencesWindow, dv_preferences_window, DV, PREFERENCES_WINDOW, AdwPreferencesWindow)

DvPreferencesWindow *dv_preferences_window_new (GtkWindow *parent, GSettings *settings);

G_END_DECLS
