#include "dv-vote-bars.h"

#include <glib/gi18n.h>

struct _DvVoteBars
{
  GtkBox parent_instance;
  GtkLabel *title;
  GtkGrid *grid;
  int top_class;
};

G_DEFINE_FINAL_TYPE (DvVoteBars, dv_vote_bars, GTK_TYPE_BOX)

static void
dv_vote_bars_class_init (DvVoteBarsClass *klass)
{
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "votebars");
}

static void
dv_vote_bars_init (DvVoteBars *self)
{
  self->top_class = -1;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  gtk_widget_add_css_class (GTK_WIDGET (self), "card");
  gtk_widget_set_size_request (GTK_WIDGET (self), 260, -1);
  self->title = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_xalign (self->title, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "heading");
  gtk_widget_set_margin_start (GTK_WIDGET (self->title), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->title), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->title), 10);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->title));
  self->grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_row_spacing (self->grid, 4);
  gtk_grid_set_column_spacing (self->grid, 8);
  gtk_widget_set_margin_start (GTK_WIDGET (self->grid), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->grid), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->grid), 10);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->grid));
}

GtkWidget *
dv_vote_bars_new (void)
{
  return g_object_new (DV_TYPE_VOTE_BARS, NULL);
}

void
dv_vote_bars_set (DvVoteBars *self, const char *title, const float *probs, int n_classes,
                  const char *const *names, int top, int truth)
{
  g_return_if_fail (DV_IS_VOTE_BARS (self));
  g_return_if_fail (n_classes > 0 && top > 0);
  gtk_label_set_text (self->title, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))) != NULL)
    gtk_grid_remove (self->grid, child);

  /* The classes by probability, largest first (the first of equals first). */
  g_autofree int *order = g_new (int, n_classes);
  for (int c = 0; c < n_classes; c++)
    order[c] = c;
  for (int i = 1; i < n_classes; i++)
    for (int j = i; j > 0 && probs[order[j]] > probs[order[j - 1]]; j--)
      {
        int t = order[j];
        order[j] = order[j - 1], order[j - 1] = t;
      }
  self->top_class = order[0];
  for (int i = 0; i < MIN (top, n_classes); i++)
    {
      const int c = order[i];
      const char *name = names[c];
      g_autofree char *shown = c == truth ? g_strdup_printf ("%s ✓", name) : g_strdup (name);
      GtkWidget *label = gtk_label_new (shown);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_width_chars (GTK_LABEL (label), 12);
      if (i == 0)
        gtk_widget_add_css_class (label, "heading");
      GtkWidget *bar = gtk_progress_bar_new ();
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), CLAMP (probs[c], 0.0f, 1.0f));
      gtk_widget_set_hexpand (bar, TRUE);
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      /* Translators: a class and its probability in per cent, e.g. "Chair: 62 %". */
      g_autofree char *text = g_strdup_printf (_("%s: %.0f %%"), name, 100.0 * probs[c]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
      /* Translators: a class and its probability, then that it is the object's true class. */
      g_autofree char *tip = c == truth ? g_strdup_printf (_("%s (the true class)"), text) : g_strdup (text);
      gtk_widget_set_tooltip_text (bar, tip);
      g_autofree char *percent = g_strdup_printf ("%.0f %%", 100.0 * probs[c]);
      GtkWidget *value = gtk_label_new (percent);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_label_set_width_chars (GTK_LABEL (value), 5);
      gtk_widget_add_css_class (value, "numeric");
      gtk_grid_attach (self->grid, label, 0, i, 1, 1);
      gtk_grid_attach (self->grid, bar, 1, i, 1, 1);
      gtk_grid_attach (self->grid, value, 2, i, 1, 1);
    }
}

int
dv_vote_bars_get_top_class (DvVoteBars *self)
{
  g_return_val_if_fail (DV_IS_VOTE_BARS (self), -1);
  return self->top_class;
}
