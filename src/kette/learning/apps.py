from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "kette.learning"
    label = "learning"
    verbose_name = _("Learning network")

    def ready(self) -> None:
        from kette.core import audit, demo, navigation
        from kette.learning import (
            rules,  # noqa: F401 - registers the permissions
            selectors,
        )
        from kette.learning.demo import load_learning_demo
        from kette.learning.models import (
            Contribution,
            PracticeExample,
            PracticeExampleAttachment,
            Registration,
        )

        # Tenant rows join their municipality's change log. Programme-level rows
        # (meetings, agenda items, working groups) keep their own history too;
        # see selectors.programme_history for the coordination office's view.
        audit.register(Contribution)
        audit.register(Registration)
        audit.register(PracticeExample)
        audit.register(PracticeExampleAttachment)
        demo.register_step("learning", load_learning_demo)
        navigation.register_main_link(
            navigation.MainLink(
                key="learning", label=_("Learning network"), url_name="learning:meeting_list"
            )
        )
        navigation.register_main_link(
            navigation.MainLink(
                key="learning_news", label=_("News"), url_name="learning:article_list", position=110
            )
        )
        navigation.register_public_link(
            navigation.PublicLink(
                key="learning_news",
                label=_("Reports from the learning network"),
                url_name="learning:municipality_articles",
                position=50,
                shown_for=lambda m: selectors.published_articles_of_municipality(m).exists(),
            )
        )
