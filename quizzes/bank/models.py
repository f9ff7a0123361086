"""Question bank models: Category (a tree), Question (choice, multiple, true/false, fill-in) with its hashes, tags,
and the lock that lets one bank import run at a time."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase

from quizzes.normalise import fingerprint

OPTION_LETTERS = "ABCDEFGH"
MAX_OPTION_LENGTH = 500  # characters; an option is a phrase or a sentence, read on a phone
TRUE_FALSE_OPTIONS = ["正确", "错误"]


class Category(models.Model):
    """A node of the question bank's category tree (消防安全 > 医疗机构消防 ...)."""

    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.IntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("题目分类")
        verbose_name_plural = _("题目分类")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="quizzes_category_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="quizzes_category_unique_root_name"
            ),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        names, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " > ".join(reversed(names))

    def descendant_ids(self) -> list[int]:
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class QuestionTag(TaggedItemBase):
    # A ParentalKey, as ClusterTaggableManager requires (a plain ForeignKey breaks `question.tags.all()`).
    content_object = ParentalKey("quizzes.Question", on_delete=models.CASCADE, related_name="tagged_items")


def question_hashes(
    *, type, stem, options, correct_options, accepted_answers, explanation, source_law, source_article, difficulty
) -> tuple[str, str]:
    """Question.compute_hashes without a model instance (importers hash thousands of rows)."""
    identity = fingerprint(type, stem, list(options))
    answers = [";".join(sorted(a)) for a in accepted_answers] if type == Question.Type.FILL else []
    content = fingerprint(
        identity,
        [str(i) for i in sorted(correct_options)],
        answers,
        explanation,
        source_law,
        source_article,
        str(difficulty),
    )
    return identity, content


class QuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Question.Status.ACTIVE)


class Question(ClusterableModel):
    """One question of the bank. Exams and competitions copy what they need at start, so edits never reach
    a running or finished attempt.

    Answers: for single, multiple and true/false questions `correct_options` holds 0-based indexes into `options`
    (true/false questions have the options 正确, 错误); for fill-in questions `accepted_answers` holds, per blank,
    the list of accepted spellings, compared after `quizzes.normalise.normalise_text`.
    """

    class Type(models.TextChoices):
        SINGLE = "single", _("单选题")
        MULTIPLE = "multiple", _("多选题")
        TRUE_FALSE = "truefalse", _("判断题")
        FILL = "fill", _("填空题")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("启用")
        RETIRED = "retired", _("停用")

    type = models.CharField(_("题型"), max_length=10, choices=Type.choices)
    category = models.ForeignKey(Category, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="questions")
    stem = models.TextField(_("题干"))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("题干图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    options = models.JSONField(_("选项"), default=list, blank=True)
    correct_options = models.JSONField(_("正确选项"), default=list, blank=True)
    accepted_answers = models.JSONField(_("填空答案"), default=list, blank=True)
    explanation = models.TextField(_("解析"), blank=True)
    difficulty = models.PositiveSmallIntegerField(_("难度"), default=3, choices=[(i, str(i)) for i in range(1, 6)])
    source_law = models.CharField(_("出处（法规）"), max_length=100, blank=True)
    source_article = models.CharField(_("出处（条款）"), max_length=50, blank=True)
    source_url = models.CharField(_("出处链接"), max_length=300, blank=True, help_text=_("学习课程中该条款的地址"))
    time_limit = models.PositiveSmallIntegerField(_("竞赛限时（秒）"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    tags = ClusterTaggableManager(through=QuestionTag, blank=True, verbose_name=_("标签"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    identity_hash = models.CharField(_("题目指纹"), max_length=64, db_index=True, editable=False)
    content_hash = models.CharField(_("内容指纹"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["category", "pk"]
        indexes = [models.Index(fields=["status", "type", "category"])]

    def __str__(self) -> str:
        return f"[{self.get_type_display()}] {self.stem[:40]}"

    @property
    def is_choice(self) -> bool:
        return self.type != self.Type.FILL

    @property
    def answer_letters(self) -> str:
        return "".join(OPTION_LETTERS[i] for i in sorted(self.correct_options) if 0 <= i < len(OPTION_LETTERS))

    @property
    def source(self) -> str:
        return " ".join(p for p in (self.source_law, self.source_article) if p)

    @property
    def study_url(self) -> str:
        """Where the cited article is studied: the stored link, else the lesson of an imported statute."""
        if self.source_url:
            return self.source_url
        from quizzes.bank.links import lesson_url

        return lesson_url(self.source_law, self.source_article)

    def compute_hashes(self) -> tuple[str, str]:
        """identity: type + stem + options (what makes two rows the same question);
        content: identity plus the answer, explanation and source (what makes an update)."""
        return question_hashes(
            type=self.type,
            stem=self.stem,
            options=list(self.options),
            correct_options=self.correct_options,
            accepted_answers=self.accepted_answers,
            explanation=self.explanation,
            source_law=self.source_law,
            source_article=self.source_article,
            difficulty=self.difficulty,
        )

    def clean(self):
        errors = {}
        if self.type == self.Type.TRUE_FALSE:
            self.options = list(TRUE_FALSE_OPTIONS)
        if self.is_choice:
            if not 2 <= len(self.options) <= 8:
                errors["options"] = _("选择题须有 2 到 8 个选项。")
            elif any(not str(o).strip() for o in self.options):
                errors["options"] = _("选项不能为空。")
            elif any(len(str(o)) > MAX_OPTION_LENGTH for o in self.options):
                errors["options"] = _("每个选项不能超过 %(n)d 个字符。") % {"n": MAX_OPTION_LENGTH}
            valid = all(isinstance(i, int) and 0 <= i < len(self.options) for i in self.correct_options)
            if not self.correct_options or not valid:
                errors["correct_options"] = _("正确答案必须是已有的选项。")
            elif self.type in (self.Type.SINGLE, self.Type.TRUE_FALSE) and len(self.correct_options) != 1:
                errors["correct_options"] = _("单选题和判断题只能有一个正确答案。")
            elif self.type == self.Type.MULTIPLE and len(self.correct_options) < 2:
                errors["correct_options"] = _("多选题至少有两个正确答案。")
        else:
            blanks_ok = self.accepted_answers and all(
                isinstance(b, list) and b and all(str(a).strip() for a in b) for b in self.accepted_answers
            )
            if not blanks_ok:
                errors["accepted_answers"] = _("填空题须为每个空给出至少一个答案。")
        if errors:
            raise ValidationError(errors)

    def prepare_for_save(self) -> None:
        """Canonical options/answers and fresh fingerprints; `save` calls it, bulk writers call it themselves."""
        if self.type == self.Type.TRUE_FALSE:
            self.options = list(TRUE_FALSE_OPTIONS)
        self.correct_options = sorted(set(self.correct_options))
        self.identity_hash, self.content_hash = self.compute_hashes()

    def save(self, *args, **kwargs):
        self.prepare_for_save()
        super().save(*args, **kwargs)


class BankImportLock(models.Model):
    """One row that bank imports lock (select_for_update) so that two imports never interleave: without it, two
    concurrent imports of the same new questions would both insert them. Works the same on SQLite and PostgreSQL."""

    name = models.CharField(max_length=20, unique=True, default="bank")

    class Meta:
        verbose_name = _("题库导入锁")
        verbose_name_plural = _("题库导入锁")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def acquire(cls) -> None:
        """Call inside a transaction; returns once no other import holds the lock."""
        cls.objects.get_or_create(name="bank")
        list(cls.objects.select_for_update().filter(name="bank").values("pk"))


class BankColumnMapping(models.Model):
    """The column mapping an admin chose by hand for a bank file's header row (题目选项 -> 选项, 备注 -> 忽略 ...),
    applied again, with a notice, to the next file whose header row has the same fingerprint (its names folded:
    full-width forms, case, spaces and brackets do not matter). One per header, shared by the bank managers: the
    same export from the same exam system maps the same way for everyone; the last choice wins."""

    fingerprint = models.CharField(_("表头指纹"), max_length=64, unique=True)
    header = models.JSONField(_("表头"), default=list)
    columns = models.JSONField(_("列对应关系"), default=dict, help_text=_("折叠后的表头名称 -> 字段（空为忽略）"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("保存人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("保存时间"), auto_now=True)

    class Meta:
        verbose_name = _("题库表头对应关系")
        verbose_name_plural = _("题库表头对应关系")

    def __str__(self) -> str:
        return " | ".join(str(name) for name in self.header)

    @classmethod
    def remember(cls, *, fingerprint: str, header: list[str], columns: dict[str, str], user=None):
        """Save (or replace) the mapping for one header row."""
        row, _created = cls.objects.update_or_create(
            fingerprint=fingerprint,
            defaults={
                "header": list(header),
                "columns": dict(columns),
                "updated_by": user if getattr(user, "pk", None) else None,
            },
        )
        return row

    @classmethod
    def for_fingerprints(cls, fingerprints: list[str]) -> dict[str, dict[str, str]]:
        """{fingerprint: columns} for the headers that have a saved mapping (one query)."""
        return dict(cls.objects.filter(fingerprint__in=set(fingerprints)).values_list("fingerprint", "columns"))
