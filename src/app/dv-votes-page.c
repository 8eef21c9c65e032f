#include "dv-votes-page-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dv-class-names.h"
#include "dv-vote-bars.h"
#include "dv-window.h"
#include "views/objects/registry.h"
#include "votes/vote.h"

G_DEFINE_FINAL_TYPE (DvVotesPage, dv_votes_page, ADW_TYPE_BIN)

static const char *
view_display_name (int view)
{
  switch (view)
    {
    case DV_VIEW_FRONT: return _("Front");
    case DV_VIEW_RIGHT: return _("Right");
    case DV_VIEW_BACK: return _("Back");
    case DV_VIEW_LEFT: return _("Left");
    default: g_return_val_if_reached ("?");
    }
}

const char *
_dv_votes_arch_display_name (DvClassifierArch arch)
{
  return arch == DV_CLASSIFIER_RESNET18 ? _("ResNet-18") : _("MobileNetV3-Small");
}

const char *
_dv_votes_set_display_name (DvVotesSet set)
{
  return set == DV_VOTES_SET_S ? _("Ω_s") : _("Ω_m");
}

void
_dv_votes_page_show_error (DvVotesPage *self, const char *message)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), DV_TYPE_WINDOW);
  if (window != NULL)
    dv_window_show_toast (DV_WINDOW (window), message);
  else
    g_warning ("%s", message);
}

static void
clear_votes (DvVotesPage *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->votes_box))) != NULL)
    gtk_flow_box_remove (self->votes_box, child);
}

static void
add_bars (DvVotesPage *self, const char *title, const float *probs, const char *const *names, int truth)
{
  GtkWidget *bars = dv_vote_bars_new ();
  dv_vote_bars_set (DV_VOTE_BARS (bars), title, probs, self->result->n_classes, names, VOTES_TOP, truth);
  gtk_flow_box_append (self->votes_box, bars);
  gtk_widget_set_focusable (gtk_widget_get_parent (bars), FALSE);
}

void
_dv_votes_page_update (DvVotesPage *self)
{
  const gboolean running = self->job != NULL;
  const char *title = self->views_page ? dv_views_page_get_object_title (self->views_page) : NULL;
  gtk_label_set_text (self->object_label, title ? title : "");

  const char *blocked = self->views_page ? dv_views_page_get_generate_blocked_reason (self->views_page) : NULL;
  gboolean can_regenerate = self->views_page != NULL && blocked == NULL && self->missing_weights == NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "votes.regenerate", can_regenerate);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->regenerate_button),
                               can_regenerate || blocked == NULL
                                 ? _("Generate the missing views again with a new seed on the Views page, and vote "
                                     "again")
                                 : blocked);

  if (self->missing_weights != NULL)
    {
      adw_status_page_set_title (self->status_page, _("Classifier Not Installed"));
      adw_status_page_set_description (self->status_page, self->missing_weights);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  if (title == NULL)
    {
      adw_status_page_set_title (self->status_page, _("Multi-View Votes"));
      adw_status_page_set_description (self->status_page,
                                       _("Open an object on the Views page: each of its views casts a vote here."));
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "votes");
  clear_votes (self);
  VotesResult *r = self->result;
  if (r == NULL)
    {
      gtk_label_set_text (self->verdict_label, running ? _("Classifying…") : "");
      gtk_label_set_text (self->truth_label, "");
      gtk_label_set_text (self->disagree_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->disagree_label), FALSE);
      gtk_label_set_text (self->hint_label, "");
      return;
    }

  const int C = r->n_classes;
  const char *names[DV_N_OBJECT_CLASSES];
  for (int c = 0; c < C; c++)
    names[c] = dv_class_display_name (c);
  const int truth = dv_views_page_get_true_class (self->views_page);

  /* Translators: the class the views voted for and its mean probability, e.g. "Verdict: Chair (62 %)". */
  g_autofree char *verdict = g_strdup_printf (_("Verdict: %s (%.0f %%)"), names[r->vote], 100.0 * r->mean[r->vote]);
  gtk_label_set_text (self->verdict_label, verdict);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->verdict_label), GTK_ACCESSIBLE_PROPERTY_LABEL, verdict, -1);
  if (truth >= 0 && truth < C)
    {
      g_autofree char *text = g_strdup_printf (r->vote == truth ? _("True class: %s — the vote is right")
                                                                : _("True class: %s — the vote is wrong"),
                                               names[truth]);
      gtk_label_set_text (self->truth_label, text);
    }
  else
    gtk_label_set_text (self->truth_label, _("True class: unknown"));

  /* The views that disagree with the vote. */
  GString *disagree = g_string_new (NULL);
  for (int k = 0; k < r->n_views; k++)
    {
      int top = dv_vote_argmax (r->probs + (size_t) k * C, C);
      if (top == r->vote)
        continue;
      if (disagree->len > 0)
        g_string_append (disagree, ", ");
      /* Translators: a view and the class it voted for, e.g. "Back: Sofa". */
      g_string_append_printf (disagree, _("%s: %s"), view_display_name (r->view_of[k]), names[top]);
    }
  if (disagree->len > 0)
    {
      /* Translators: %s lists the views that voted for another class, e.g. "Back: Sofa, Left: Bench". */
      g_autofree char *text = g_strdup_printf (_("The views disagree: %s"), disagree->str);
      gtk_label_set_text (self->disagree_label, text);
    }
  else
    gtk_label_set_text (self->disagree_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->disagree_label), disagree->len > 0);
  g_string_free (disagree, TRUE);

  int n_generated = 0;
  for (int k = 0; k < r->n_views; k++)
    n_generated += r->generated[k];
  g_autofree char *hint = NULL;
  if (n_generated == 0)
    hint = g_strdup_printf (_("%s trained on %s. Only the real views vote: generate the missing views (above, or on the "
                              "Views page) to add their votes."),
                            _dv_votes_arch_display_name (r->arch), _dv_votes_set_display_name (r->set));
  else
    /* Translators: the architecture, the training set, then counts of views. */
    hint = g_strdup_printf (_("%s trained on %s. The mean vote of %d real and %d generated views."),
                            _dv_votes_arch_display_name (r->arch), _dv_votes_set_display_name (r->set), r->n_views - n_generated,
                            n_generated);
  gtk_label_set_text (self->hint_label, hint);

  for (int k = 0; k < r->n_views; k++)
    {
      /* Translators: a view and what it is, e.g. "Front · real", "Back · generated". */
      g_autofree char *head = g_strdup_printf (r->generated[k] ? _("%s · generated") : _("%s · real"),
                                               view_display_name (r->view_of[k]));
      add_bars (self, head, r->probs + (size_t) k * C, names, truth);
    }
  if (r->n_views > 1)
    {
      /* Translators: %d is a count of views. */
      g_autofree char *head = g_strdup_printf (_("Mean of %d views"), r->n_views);
      add_bars (self, head, r->mean, names, truth);
    }
}

/* ---- Actions and signals ---- */

static void
on_views_changed (DvVotesPage *self)
{
  _dv_votes_page_classify (self);
}

static void
on_model_changed (DvVotesPage *self)
{
  guint arch = gtk_drop_down_get_selected (self->arch_dropdown);
  guint set = gtk_drop_down_get_selected (self->set_dropdown);
  DvClassifierArch new_arch = arch == 1 ? DV_CLASSIFIER_MOBILENET : DV_CLASSIFIER_RESNET18;
  DvVotesSet new_set = set == 1 ? DV_VOTES_SET_M : DV_VOTES_SET_S;
  if (new_arch == self->arch && new_set == self->set)
    return;
  self->arch = new_arch;
  self->set = new_set;
  _dv_votes_page_update_evaluation (self);
  _dv_votes_page_classify (self);
}

static void
regenerate_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvVotesPage *self = DV_VOTES_PAGE (widget);
  if (self->views_page == NULL)
    return;
  if (!dv_views_page_regenerate (self->views_page))
    {
      const char *reason = dv_views_page_get_generate_blocked_reason (self->views_page);
      _dv_votes_page_show_error (self, reason ? reason : _("The views cannot be generated now"));
      return;
    }
  /* Its "views-changed" at the end votes again. */
  gtk_label_set_text (self->hint_label, _("Generating the missing views on the Views page…"));
}

/* ---- Public ---- */

void
dv_votes_page_set_views_page (DvVotesPage *self, DvViewsPage *views_page)
{
  g_return_if_fail (DV_IS_VOTES_PAGE (self));
  if (self->views_page != NULL)
    {
      g_clear_signal_handler (&self->views_changed_id, self->views_page);
      g_object_remove_weak_pointer (G_OBJECT (self->views_page), (gpointer *) &self->views_page);
    }
  self->views_page = views_page;
  if (views_page != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (views_page), (gpointer *) &self->views_page);
      self->views_changed_id = g_signal_connect_swapped (views_page, "views-changed", G_CALLBACK (on_views_changed),
                                                         self);
    }
  _dv_votes_page_classify (self);
}

void
dv_votes_page_set_model (DvVotesPage *self, DvClassifierArch arch, DvVotesSet set)
{
  g_return_if_fail (DV_IS_VOTES_PAGE (self));
  g_return_if_fail (arch < DV_N_CLASSIFIER_ARCHS && set < DV_N_VOTES_SETS);
  /* Through the drop-downs, so that they show it. */
  g_signal_handlers_block_by_func (self->arch_dropdown, on_model_changed, self);
  gtk_drop_down_set_selected (self->arch_dropdown, arch == DV_CLASSIFIER_MOBILENET);
  g_signal_handlers_unblock_by_func (self->arch_dropdown, on_model_changed, self);
  gtk_drop_down_set_selected (self->set_dropdown, set == DV_VOTES_SET_M);
  on_model_changed (self);
}

DvClassifierArch
dv_votes_page_get_arch (DvVotesPage *self)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), DV_CLASSIFIER_RESNET18);
  return self->arch;
}

DvVotesSet
dv_votes_page_get_set (DvVotesPage *self)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), DV_VOTES_SET_S);
  return self->set;
}

void
dv_votes_page_refresh_weights (DvVotesPage *self)
{
  g_return_if_fail (DV_IS_VOTES_PAGE (self));
  _dv_votes_page_load_evaluation (self);
  _dv_votes_page_classify (self);
}

const char *
dv_votes_page_get_missing_weights (DvVotesPage *self)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), NULL);
  return self->missing_weights;
}

gboolean
dv_votes_page_get_classifying (DvVotesPage *self)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), FALSE);
  return self->job != NULL;
}

guint64
dv_votes_page_get_n_votes (DvVotesPage *self)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), 0);
  return self->n_votes;
}

int
dv_votes_page_get_verdict (DvVotesPage *self)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), -1);
  return self->result ? self->result->vote : -1;
}

int
dv_votes_page_get_n_views (DvVotesPage *self)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), 0);
  return self->result ? self->result->n_views : 0;
}

gboolean
dv_votes_page_get_probabilities (DvVotesPage *self, int k, float *probs, int n_classes)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), FALSE);
  VotesResult *r = self->result;
  if (r == NULL || k < 0 || k >= r->n_views || n_classes != r->n_classes)
    return FALSE;
  memcpy (probs, r->probs + (size_t) k * n_classes, sizeof (float) * n_classes);
  return TRUE;
}

/* ---- GObject ---- */

static void
dv_votes_page_dispose (GObject *object)
{
  DvVotesPage *self = DV_VOTES_PAGE (object);
  dv_votes_page_set_views_page (self, NULL);
  _dv_votes_page_classify_dispose (self);
  _dv_votes_page_evaluation_dispose (self);
  G_OBJECT_CLASS (dv_votes_page_parent_class)->dispose (object);
}

static void
dv_votes_page_class_init (DvVotesPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = dv_votes_page_dispose;
  g_type_ensure (DV_TYPE_CONFUSION_MATRIX);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-votes-page.ui");
  const char *children[] = {
    "arch_dropdown", "set_dropdown", "object_label", "regenerate_button", "stack", "status_page",
    "verdict_label", "truth_label", "disagree_label", "hint_label", "votes_box", "eval_label",
    "matrix_title", "split_e_button", "split_ea_button", "matrix_status_label", "matrix", "cell_label", "cell_box",
  };
  const goffset offsets[] = {
    G_STRUCT_OFFSET (DvVotesPage, arch_dropdown), G_STRUCT_OFFSET (DvVotesPage, set_dropdown),
    G_STRUCT_OFFSET (DvVotesPage, object_label),
    G_STRUCT_OFFSET (DvVotesPage, regenerate_button), G_STRUCT_OFFSET (DvVotesPage, stack),
    G_STRUCT_OFFSET (DvVotesPage, status_page), G_STRUCT_OFFSET (DvVotesPage, verdict_label),
    G_STRUCT_OFFSET (DvVotesPage, truth_label), G_STRUCT_OFFSET (DvVotesPage, disagree_label),
    G_STRUCT_OFFSET (DvVotesPage, hint_label), G_STRUCT_OFFSET (DvVotesPage, votes_box),
    G_STRUCT_OFFSET (DvVotesPage, eval_label), G_STRUCT_OFFSET (DvVotesPage, matrix_title),
    G_STRUCT_OFFSET (DvVotesPage, split_e_button), G_STRUCT_OFFSET (DvVotesPage, split_ea_button),
    G_STRUCT_OFFSET (DvVotesPage, matrix_status_label), G_STRUCT_OFFSET (DvVotesPage, matrix),
    G_STRUCT_OFFSET (DvVotesPage, cell_label), G_STRUCT_OFFSET (DvVotesPage, cell_box),
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (children) == G_N_ELEMENTS (offsets));
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    gtk_widget_class_bind_template_child_full (widget_class, children[i], FALSE, offsets[i]);
  gtk_widget_class_install_action (widget_class, "votes.regenerate", NULL, regenerate_action);
}

static void
dv_votes_page_init (DvVotesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->arch = DV_CLASSIFIER_RESNET18;
  self->set = DV_VOTES_SET_S;
  g_signal_connect_swapped (self->arch_dropdown, "notify::selected", G_CALLBACK (on_model_changed), self);
  g_signal_connect_swapped (self->set_dropdown, "notify::selected", G_CALLBACK (on_model_changed), self);
  /* GTK 4.8's drop-down leaves the name off the button inside it. */
  GtkDropDown *dropdowns[] = { self->arch_dropdown, self->set_dropdown };
  const char *labels[] = { _("Architecture"), _("Training set") };
  for (guint i = 0; i < G_N_ELEMENTS (dropdowns); i++)
    for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (dropdowns[i])); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_TOGGLE_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, labels[i], -1);
  _dv_votes_page_evaluation_init (self);
  _dv_votes_page_update (self);
}
