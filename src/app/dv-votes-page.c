#include "dv-votes-page.h"

struct _DvVotesPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (DvVotesPage, dv_votes_page, ADW_TYPE_BIN)

static void
dv_votes_page_class_init (DvVotesPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-votes-page.ui");
}

static void
dv_votes_page_init (DvVotesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
