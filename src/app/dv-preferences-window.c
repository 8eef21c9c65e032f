#include "dv-preferences-window.h"

#include <glib/gi18n.h>

struct _DvPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;

  /* Template widgets */
  AdwComboRow *color_scheme_row;
  AdwActionRow *threads_row;
  GtkSpinButton *threads_spin;
  GtkAdjustment *threads_adjustment;
  GtkSpinButton *sampling_steps_spin;
  GtkSpinButton *plot_zoom_spin;
};

G_DEFINE_FINAL_TYPE (DvPreferencesWindow, dv_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo row lists the enum's values in order: follow, light, dark. */
static const char *const color_scheme_nicks[] = { "follow", "light", "dark" };

static gboolean
color_scheme_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (color_scheme_nicks); i++)
    if (g_str_equal (nick, color_scheme_nicks[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
color_scheme_set_mapping (const GValue *value, const GVariantType *expected_type, gpointer user_data)
{
  guint index = g_value_get_uint (value);
  if (index >= G_N_ELEMENTS (color_scheme_nicks))
    return NULL;
  return g_variant_new_string (color_scheme_nicks[index]);
}

/* The combo row's chosen style is shown whole ("Follow System" was cut to
 * "Follow Syst…" beside the row's subtitle): the subtitle wraps instead. */
static void
setup_style_item (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_style_item (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (string));
}

static void
dv_preferences_window_dispose (GObject *object)
{
  DvPreferencesWindow *self = DV_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), DV_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (dv_preferences_window_parent_class)->dispose (object);
}

static void
dv_preferences_window_class_init (DvPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = dv_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DvPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, DvPreferencesWindow, threads_row);
  gtk_widget_class_bind_template_child (widget_class, DvPreferencesWindow, threads_spin);
  gtk_widget_class_bind_template_child (widget_class, DvPreferencesWindow, threads_adjustment);
  gtk_widget_class_bind_template_child (widget_class, DvPreferencesWindow, sampling_steps_spin);
  gtk_widget_class_bind_template_child (widget_class, DvPreferencesWindow, plot_zoom_spin);
}

static void
dv_preferences_window_init (DvPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_style_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_style_item), NULL);
  adw_combo_row_set_factory (self->color_scheme_row, factory);

  /* More threads than cores only slows the engine down. */
  guint cores = g_get_num_processors ();
  gtk_adjustment_set_upper (self->threads_adjustment, cores);
  g_autofree char *subtitle =
    g_strdup_printf (ngettext ("Processor threads for training and sampling, OpenBLAS included; 0 uses the %u core",
                               "Processor threads for training and sampling, OpenBLAS included; 0 uses all %u cores",
                               cores),
                     cores);
  adw_action_row_set_subtitle (self->threads_row, subtitle);
}

DvPreferencesWindow *
dv_preferences_window_new (GtkWindow *parent, GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  DvPreferencesWindow *self = g_object_new (DV_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);
  g_settings_bind_with_mapping (settings, "color-scheme", self->color_scheme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, color_scheme_get_mapping, color_scheme_set_mapping,
                                NULL, NULL);
  g_settings_bind (settings, "threads", self->threads_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "sampling-steps", self->sampling_steps_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "plot-zoom", self->plot_zoom_spin, "value", G_SETTINGS_BIND_DEFAULT);
  return self;
}
