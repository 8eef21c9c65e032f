/* DvApplication: app-wide actions, accelerators, settings, style and the engine's thread budget. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DV_TYPE_APPLICATION (dv_application_get_type ())
G_DECLARE_FINAL_TYPE (DvApplication, dv_application, DV, APPLICATION, AdwApplication)

DvApplication *dv_application_new (void);
GSettings *dv_application_get_settings (DvApplication *self);

/* The app's GSettings: the installed schema if there is one, else the schema
 * compiled into the build tree (so the app runs uninstalled, with no
 * GSETTINGS_SCHEMA_DIR to set). */
GSettings *dv_settings_new (void);

G_END_DECLS
