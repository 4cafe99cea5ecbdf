from django.urls import path

from kette.learning import views

app_name = "learning"

M = "lernnetzwerk/<int:number>/"
K = "k/<slug:municipality_slug>/lernnetzwerk/<int:number>/"

urlpatterns = [
    path("lernnetzwerk/", views.MeetingListView.as_view(), name="meeting_list"),
    path("lernnetzwerk/lernnetzwerk.ics", views.programme_calendar, name="programme_calendar"),
    path("lernnetzwerk/neu/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("lernnetzwerk/statistik/", views.StatisticsView.as_view(), name="statistics"),
    path(
        "lernnetzwerk/abmelden/<str:cancel_token>/",
        views.CancelRegistrationView.as_view(),
        name="cancel",
    ),
    path(
        "lernnetzwerk/praxisbeispiele/",
        views.PracticeExampleListView.as_view(),
        name="practice_example_list",
    ),
    path(
        "lernnetzwerk/praxisbeispiele/<int:example_pk>/",
        views.PracticeExampleDetailView.as_view(),
        name="practice_example_detail",
    ),
    path(
        "lernnetzwerk/praxisbeispiele/<int:example_pk>/anhaenge/<int:attachment_pk>/",
        views.PracticeExampleAttachmentDownloadView.as_view(),
        name="practice_example_attachment",
    ),
    path(
        "k/<slug:municipality_slug>/praxisbeispiele/<int:example_pk>/anhaenge/",
        views.PracticeExampleAttachmentAddView.as_view(),
        name="practice_example_attachment_add",
    ),
    path(
        "k/<slug:municipality_slug>/praxisbeispiele/<int:example_pk>/anhaenge/"
        "<int:attachment_pk>/loeschen/",
        views.PracticeExampleAttachmentDeleteView.as_view(),
        name="practice_example_attachment_delete",
    ),
    path(
        "k/<slug:municipality_slug>/praxisbeispiele/",
        views.MunicipalityPracticeExamplesView.as_view(),
        name="municipality_practice_examples",
    ),
    path(
        "k/<slug:municipality_slug>/praxisbeispiele/<int:example_pk>/",
        views.MunicipalityPracticeExampleEditView.as_view(),
        name="municipality_practice_example_edit",
    ),
    path(
        "k/<slug:municipality_slug>/praxisbeispiele/<int:example_pk>/loeschen/",
        views.PracticeExampleDeleteView.as_view(),
        name="practice_example_delete",
    ),
    path("lernnetzwerk/aktuelles/", views.ArticleListView.as_view(), name="article_list"),
    path("lernnetzwerk/aktuelles/neu/", views.ArticleCreateView.as_view(), name="article_create"),
    path(
        "lernnetzwerk/aktuelles/<int:article_pk>/",
        views.ArticleDetailView.as_view(),
        name="article_detail",
    ),
    path(
        "lernnetzwerk/aktuelles/<int:article_pk>/bearbeiten/",
        views.ArticleUpdateView.as_view(),
        name="article_update",
    ),
    path(
        "lernnetzwerk/aktuelles/<int:article_pk>/fotos/<int:photo_pk>/",
        views.ArticlePhotoView.as_view(),
        name="article_photo",
    ),
    path(
        "k/<slug:municipality_slug>/lernnetzwerk/berichte/",
        views.MunicipalityArticlesView.as_view(),
        name="municipality_articles",
    ),
    path(M, views.MeetingDetailView.as_view(), name="meeting_detail"),
    path(M + "termin.ics", views.MeetingCalendarView.as_view(), name="meeting_calendar"),
    path(M + "bearbeiten/", views.MeetingUpdateView.as_view(), name="meeting_update"),
    path(M + "einladen/", views.MeetingInviteView.as_view(), name="meeting_invite"),
    path(M + "loeschen/", views.MeetingDeleteView.as_view(), name="meeting_delete"),
    path(M + "programm/", views.AgendaBuilderView.as_view(), name="agenda_builder"),
    path(
        M + "programm/top/<int:item_pk>/",
        views.AgendaItemEditView.as_view(),
        name="agenda_item_edit",
    ),
    path(
        M + "programm/top/<int:item_pk>/loeschen/",
        views.AgendaItemDeleteView.as_view(),
        name="agenda_item_delete",
    ),
    path(
        M + "programm/ag/<int:group_pk>/",
        views.WorkingGroupEditView.as_view(),
        name="working_group_edit",
    ),
    path(
        M + "programm/ag/<int:group_pk>/loeschen/",
        views.WorkingGroupDeleteView.as_view(),
        name="working_group_delete",
    ),
    path(M + "kurzreferate/", views.ContributionReviewView.as_view(), name="contribution_review"),
    path(
        M + "kurzreferate/<int:contribution_pk>/entscheidung/",
        views.ContributionDecisionView.as_view(),
        name="contribution_decision",
    ),
    path(
        M + "kurzreferate/<int:contribution_pk>/folien/",
        views.ContributionSlidesView.as_view(),
        name="contribution_slides",
    ),
    path(M + "anmeldungen/", views.RegistrationListView.as_view(), name="registration_list"),
    path(
        M + "anmeldungen.csv",
        views.RegistrationExportView.as_view(file_format="csv"),
        name="registration_csv",
    ),
    path(
        M + "anmeldungen.xlsx",
        views.RegistrationExportView.as_view(file_format="xlsx"),
        name="registration_xlsx",
    ),
    path(M + "namensschilder.pdf", views.BadgesPdfView.as_view(), name="badges_pdf"),
    path(M + "einlass/", views.CheckInView.as_view(), name="check_in"),
    path(M + "protokoll/", views.MinutesView.as_view(), name="minutes"),
    path(M + "protokoll.pdf", views.MinutesPdfView.as_view(), name="minutes_pdf"),
    path(M + "protokoll/bearbeiten/", views.MinutesEditView.as_view(), name="minutes_edit"),
    path(M + "material/", views.MaterialView.as_view(), name="material"),
    path(
        M + "material/dokumente/<int:document_pk>/loeschen/",
        views.MeetingDocumentDeleteView.as_view(),
        name="meeting_document_delete",
    ),
    path(
        M + "material/fotos/<int:photo_pk>/loeschen/",
        views.MeetingPhotoDeleteView.as_view(),
        name="meeting_photo_delete",
    ),
    path(
        M + "dokumente/<int:document_pk>/",
        views.MeetingDocumentDownloadView.as_view(),
        name="meeting_document",
    ),
    path(M + "fotos/<int:photo_pk>/", views.MeetingPhotoView.as_view(), name="meeting_photo"),
    path(
        K + "anmeldungen/",
        views.MunicipalityRegistrationView.as_view(),
        name="municipality_registrations",
    ),
    path(
        K + "anmeldungen/<int:registration_pk>/abmelden/",
        views.MunicipalityRegistrationCancelView.as_view(),
        name="municipality_registration_cancel",
    ),
    path(K + "kurzreferate/", views.ContributionSubmitView.as_view(), name="contribution_submit"),
]
