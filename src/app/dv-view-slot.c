#include "dv-view-slot.h"

#include <glib/gi18n.h>
#include <string.h>

struct _DvViewSlot
{
  GtkWidget parent_instance;

  char *view_name;
  GdkTexture *texture;   /* the view as loaded (the true view, when known) */
  GdkTexture *generated; /* what the model made of it, shown instead while not given */
  GdkTexture *truth;     /* the loaded view, small, beside a generated one */
  GdkTexture *texture_native, *generated_native; /* the same at their own size: GTK enlarges them smoothly */
  gboolean smooth;
  gboolean given;
  gboolean locked;

  /* Template widgets */
  GtkToggleButton *toggle;
  GtkPicture *picture;
  GtkLabel *pending_label;
  GtkLabel *name_label;
  GtkLabel *state_label;
  GtkImage *given_icon;
  GtkLabel *source_label;
  GtkPicture *truth_picture;
  GtkPicture *original_picture;
  GtkLabel *metrics_label;
  GdkTexture *original;  /* the file as opened, small, when it was not a square view */
};

G_DEFINE_FINAL_TYPE (DvViewSlot, dv_view_slot, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_VIEW_NAME, PROP_GIVEN, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* A faded image under a dark label says "not given" without hiding what is
 * there; views are drawn on white in both styles, as they were rendered. */
static const char slot_css[] =
  ".dv-view-frame { border-radius: 8px; background-color: white; }\n"
  ".dv-view-frame.empty { background-color: alpha(currentColor, 0.06); }\n"
  ".dv-view-pending { padding: 4px 10px; border-radius: 99px; font-weight: bold;"
  " background-color: rgba(0, 0, 0, 0.7); color: white; }\n"
  ".dv-view-toggle { padding: 8px; }\n"
  ".dv-view-truth { margin: 6px; border-radius: 4px; background-color: white;"
  " box-shadow: 0 0 0 1px rgba(0, 0, 0, 0.35); }\n";

static void
update_state (DvViewSlot *self)
{
  gboolean has_image = self->texture != NULL;

  /* A generated view without a loaded one stays bright: the toggle is not greyed, clicks are refused. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->toggle), has_image || self->generated != NULL);
  if (gtk_toggle_button_get_active (self->toggle) != self->given)
    gtk_toggle_button_set_active (self->toggle, self->given);
  gboolean showing_generated = !self->given && self->generated != NULL;
  GdkTexture *shown = showing_generated ? (self->smooth ? self->generated_native : self->generated)
                                        : (self->smooth ? self->texture_native : self->texture);
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (shown));
  gtk_widget_set_visible (GTK_WIDGET (self->pending_label), !self->given && !showing_generated);
  gtk_widget_set_visible (GTK_WIDGET (self->given_icon), self->given);
  gtk_widget_set_opacity (GTK_WIDGET (self->picture), self->given || showing_generated ? 1.0 : 0.35);
  gtk_widget_set_visible (GTK_WIDGET (self->truth_picture), showing_generated && self->truth != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->original_picture), !showing_generated && self->original != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->metrics_label),
                          showing_generated && gtk_label_get_text (self->metrics_label)[0] != '\0');
  GtkWidget *frame = gtk_widget_get_parent (GTK_WIDGET (self->picture));
  if (has_image)
    gtk_widget_remove_css_class (frame, "empty");
  else
    gtk_widget_add_css_class (frame, "empty");

  const char *state = self->given ? _("Given") : showing_generated ? _("Generated") : _("To be generated");
  gtk_label_set_text (self->state_label, state);
  gtk_label_set_text (self->name_label, self->view_name ? self->view_name : "");
  /* Translators: the accessible name of a view toggle, e.g. "Front view: Given". */
  g_autofree char *accessible = g_strdup_printf (_("%s view: %s"), self->view_name ? self->view_name : "", state);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
on_toggled (GtkToggleButton *toggle, DvViewSlot *self)
{
  /* While the model runs, what is given must not change: the click is undone. */
  if (self->locked)
    {
      update_state (self);
      return;
    }
  dv_view_slot_set_given (self, gtk_toggle_button_get_active (toggle));
}

/* Nearest neighbour: each view pixel becomes a sharp block. rgb8 is
 * [side][side][3] bytes, or NULL to read floats from img. */
static GdkTexture *
scaled_texture (const DvImage *img, int x0, const guint8 *rgb8, int side, int n)
{
  guint8 *rgb = g_malloc ((gsize) n * n * 3);
  for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
      {
        guint8 *q = rgb + ((size_t) y * n + x) * 3;
        int sy = y * side / n, sx = x * side / n;
        if (rgb8 != NULL)
          memcpy (q, rgb8 + ((size_t) sy * side + sx) * 3, 3);
        else
          {
            const float *p = img->rgb + ((size_t) sy * img->width + x0 + sx) * 3;
            for (int c = 0; c < 3; c++)
              q[c] = (guint8) (CLAMP (p[c], 0.0f, 1.0f) * 255.0f + 0.5f);
          }
      }
  g_autoptr (GBytes) bytes = g_bytes_new_take (rgb, (gsize) n * n * 3);
  return gdk_memory_texture_new (n, n, GDK_MEMORY_R8G8B8, bytes, (gsize) n * 3);
}

DvViewSlot *
dv_view_slot_new (const char *view_name)
{
  return g_object_new (DV_TYPE_VIEW_SLOT, "view-name", view_name, NULL);
}

void
dv_view_slot_set_image (DvViewSlot *self, const DvImage *img, int x0, int side, const char *source)
{
  g_return_if_fail (DV_IS_VIEW_SLOT (self));
  g_return_if_fail (img != NULL && side > 0 && x0 >= 0 && x0 + side <= img->width && side <= img->height);

  g_clear_object (&self->texture);
  g_clear_object (&self->generated);
  g_clear_object (&self->generated_native);
  g_clear_object (&self->truth);
  g_clear_object (&self->original);
  gtk_picture_set_paintable (self->original_picture, NULL);
  gtk_label_set_text (self->metrics_label, "");
  self->texture = scaled_texture (img, x0, NULL, side, DV_VIEW_SLOT_SIDE);
  g_clear_object (&self->texture_native);
  self->texture_native = scaled_texture (img, x0, NULL, side, side);
  self->truth = scaled_texture (img, x0, NULL, side, DV_VIEW_SLOT_TRUTH_SIDE);
  gtk_picture_set_paintable (self->truth_picture, GDK_PAINTABLE (self->truth));
  gtk_label_set_text (self->source_label, source ? source : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->source_label), source);
  dv_view_slot_set_given (self, TRUE);
  update_state (self);
}

void
dv_view_slot_clear (DvViewSlot *self)
{
  g_return_if_fail (DV_IS_VIEW_SLOT (self));
  g_clear_object (&self->texture);
  g_clear_object (&self->generated);
  g_clear_object (&self->truth);
  g_clear_object (&self->texture_native);
  g_clear_object (&self->generated_native);
  g_clear_object (&self->original);
  gtk_picture_set_paintable (self->original_picture, NULL);
  gtk_label_set_text (self->metrics_label, "");
  gtk_picture_set_paintable (self->truth_picture, NULL);
  gtk_label_set_text (self->source_label, "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->source_label), NULL);
  dv_view_slot_set_given (self, FALSE);
  update_state (self);
}

void
dv_view_slot_set_original (DvViewSlot *self, GdkTexture *original, const char *description)
{
  g_return_if_fail (DV_IS_VIEW_SLOT (self));
  g_set_object (&self->original, original);
  gtk_picture_set_paintable (self->original_picture, GDK_PAINTABLE (original));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->original_picture), description);
  gtk_picture_set_alternative_text (self->original_picture, description);
  update_state (self);
}

GdkTexture *
dv_view_slot_get_original (DvViewSlot *self)
{
  g_return_val_if_fail (DV_IS_VIEW_SLOT (self), NULL);
  return self->original;
}

gboolean
dv_view_slot_has_image (DvViewSlot *self)
{
  g_return_val_if_fail (DV_IS_VIEW_SLOT (self), FALSE);
  return self->texture != NULL;
}

GdkTexture *
dv_view_slot_get_texture (DvViewSlot *self)
{
  g_return_val_if_fail (DV_IS_VIEW_SLOT (self), NULL);
  return self->texture;
}

void
dv_view_slot_set_generated (DvViewSlot *self, const guint8 *rgb, int side)
{
  g_return_if_fail (DV_IS_VIEW_SLOT (self));
  g_clear_object (&self->generated);
  g_clear_object (&self->generated_native);
  if (rgb != NULL)
    {
      self->generated = scaled_texture (NULL, 0, rgb, side, DV_VIEW_SLOT_SIDE);
      self->generated_native = scaled_texture (NULL, 0, rgb, side, side);
    }
  else
    gtk_label_set_text (self->metrics_label, "");
  update_state (self);
}

GdkTexture *
dv_view_slot_get_generated (DvViewSlot *self)
{
  g_return_val_if_fail (DV_IS_VIEW_SLOT (self), NULL);
  return self->generated;
}

void
dv_view_slot_set_metrics (DvViewSlot *self, const char *text)
{
  g_return_if_fail (DV_IS_VIEW_SLOT (self));
  gtk_label_set_text (self->metrics_label, text ? text : "");
  update_state (self);
}

const char *
dv_view_slot_get_metrics (DvViewSlot *self)
{
  g_return_val_if_fail (DV_IS_VIEW_SLOT (self), NULL);
  return gtk_label_get_text (self->metrics_label);
}

void
dv_view_slot_set_smooth (DvViewSlot *self, gboolean smooth)
{
  g_return_if_fail (DV_IS_VIEW_SLOT (self));
  self->smooth = smooth;
  update_state (self);
}

void
dv_view_slot_set_locked (DvViewSlot *self, gboolean locked)
{
  g_return_if_fail (DV_IS_VIEW_SLOT (self));
  self->locked = locked;
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->toggle),
                               locked ? _("The given views cannot change while the model generates")
                                      : _("Mark this view as given, or as one to be generated"));
}

gboolean
dv_view_slot_get_given (DvViewSlot *self)
{
  g_return_val_if_fail (DV_IS_VIEW_SLOT (self), FALSE);
  return self->given;
}

void
dv_view_slot_set_given (DvViewSlot *self, gboolean given)
{
  g_return_if_fail (DV_IS_VIEW_SLOT (self));
  given = given && self->texture != NULL;
  if (self->given == given)
    {
      update_state (self); /* puts a toggle that was refused back */
      return;
    }
  self->given = given;
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GIVEN]);
}

static void
dv_view_slot_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DvViewSlot *self = DV_VIEW_SLOT (object);
  switch (prop_id)
    {
    case PROP_VIEW_NAME:
      g_value_set_string (value, self->view_name);
      break;
    case PROP_GIVEN:
      g_value_set_boolean (value, self->given);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dv_view_slot_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  DvViewSlot *self = DV_VIEW_SLOT (object);
  switch (prop_id)
    {
    case PROP_VIEW_NAME:
      g_free (self->view_name);
      self->view_name = g_value_dup_string (value);
      update_state (self);
      break;
    case PROP_GIVEN:
      dv_view_slot_set_given (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dv_view_slot_dispose (GObject *object)
{
  DvViewSlot *self = DV_VIEW_SLOT (object);
  gtk_widget_dispose_template (GTK_WIDGET (self), DV_TYPE_VIEW_SLOT);
  g_clear_object (&self->texture);
  g_clear_object (&self->generated);
  g_clear_object (&self->truth);
  g_clear_object (&self->texture_native);
  g_clear_object (&self->generated_native);
  g_clear_object (&self->original);
  G_OBJECT_CLASS (dv_view_slot_parent_class)->dispose (object);
}

static void
dv_view_slot_finalize (GObject *object)
{
  g_free (DV_VIEW_SLOT (object)->view_name);
  G_OBJECT_CLASS (dv_view_slot_parent_class)->finalize (object);
}

static void
dv_view_slot_class_init (DvViewSlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dv_view_slot_get_property;
  object_class->set_property = dv_view_slot_set_property;
  object_class->dispose = dv_view_slot_dispose;
  object_class->finalize = dv_view_slot_finalize;

  properties[PROP_VIEW_NAME] = g_param_spec_string ("view-name", NULL, NULL, NULL,
                                                    G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_GIVEN] = g_param_spec_boolean ("given", NULL, NULL, FALSE,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-view-slot.ui");
  gtk_widget_class_bind_template_child (widget_class, DvViewSlot, toggle);
  gtk_widget_class_bind_template_child (widget_class, DvViewSlot, picture);
  gtk_widget_class_bind_template_child (widget_class, DvViewSlot, pending_label);
  gtk_widget_class_bind_template_child (widget_class, DvViewSlot, name_label);
  gtk_widget_class_bind_template_child (widget_class, DvViewSlot, state_label);
  gtk_widget_class_bind_template_child (widget_class, DvViewSlot, given_icon);
  gtk_widget_class_bind_template_child (widget_class, DvViewSlot, source_label);
  gtk_widget_class_bind_template_child (widget_class, DvViewSlot, truth_picture);
  gtk_widget_class_bind_template_child (widget_class, DvViewSlot, original_picture);
  gtk_widget_class_bind_template_child (widget_class, DvViewSlot, metrics_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "dv-view-slot");
}

static void
dv_view_slot_init (DvViewSlot *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->toggle, "toggled", G_CALLBACK (on_toggled), self);

  /* The slot's few rules, once per display. */
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  if (display != NULL && g_object_get_data (G_OBJECT (display), "dv-view-slot-css") == NULL)
    {
      g_autoptr (GtkCssProvider) provider = gtk_css_provider_new ();
      gtk_css_provider_load_from_data (provider, slot_css, -1);
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      g_object_set_data (G_OBJECT (display), "dv-view-slot-css", GINT_TO_POINTER (1));
    }
  update_state (self);
}
