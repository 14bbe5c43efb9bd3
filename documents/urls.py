"""The documents' API routes, included under /api/v1/documents/ (sanming_fupin/urls.py). Plain paths,
not the router's: a document is addressed as a file (card.pdf), not as a resource with a slash."""

from django.urls import path

from . import api

urlpatterns = [
    path("households/<int:pk>/card.pdf", api.CardView.as_view(), name="document-card"),
    path("households/<int:pk>/handbook.pdf", api.HandbookView.as_view(), name="document-handbook"),
    path("closes/<str:key>.pdf", api.CloseView.as_view(), name="document-close"),
    path("announcement.pdf", api.AnnouncementView.as_view(), name="document-announcement"),
    path("notice-list.pdf", api.NoticeListView.as_view(), name="document-notice-list"),
    path("village-cards/", api.VillageCardsView.as_view(), name="document-village-cards"),
]
