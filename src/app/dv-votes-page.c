#include "dv-votes-page.h"

struct _DvVotesPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (DvVotesPage, dv_votes_page, ADW_TYPE_BIN)

static void
dv_votes_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), DV_TYPE_VOTES_PAGE);
  G_OBJECT_CLASS (dv_votes_page_parent_class)->dispose (object);
}

static void
dv_votes_page_class_init (DvVotesPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = dv_votes_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-votes-page.ui");
}

static void
dv_votes_page_init (DvVotesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
