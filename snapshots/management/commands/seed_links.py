"""Seed a user with many realistic links (Chinese and English pages) for benchmarks and demos.

Everything is bulk-inserted — links, tags, one succeeded snapshot with page text per link
and the search documents — so 100,000 links take minutes, not hours.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from snapshots.links.tagging import tag_get_or_create
from snapshots.models import Link, SearchDocument, Snapshot, TaggedLink
from snapshots.search.indexing import document_build

ZH_WORDS = (
    "国务院 办公厅 关于 印发 年度 工作 要点 通知 各省 自治区 直辖市 人民政府 部委 直属机构 政务公开 标准化 规范化 "
    "财政 预算 决算 报告 统计 公报 国民经济 社会发展 增长 同比 环比 收入 支出 亿元 万元 百分点 地区 生产总值 "
    "工业 增加值 固定资产 投资 消费品 零售 总额 进出口 居民 人均 可支配 城镇 农村 就业 失业率 物价 指数 教育 "
    "卫生 健康 医疗 保障 养老 住房 交通 运输 能源 生态 环境 保护 污染 治理 科技 创新 数字 经济 改革 开放 营商 "
    "市场 主体 监管 服务 审批 事项 清单 信息 公开 依申请 目录 政策 解读 会议 纪要 规划 纲要 实施 意见 办法 条例"
).split()
EN_WORDS = (
    "the of and to in a for on with as by is are was from that this report annual budget government policy "
    "economy growth rate percent million billion revenue expenditure fiscal year quarter statistics survey "
    "data table figure results analysis market trade export import investment energy climate health education "
    "transport housing employment inflation index regional development public information open disclosure "
    "reform innovation technology digital service review committee meeting minutes plan strategy framework"
).split()
DOMAINS = ["www.gov.cn", "www.stats.gov.cn", "www.mof.gov.cn", "news.example.com", "blog.example.org",
           "www.reuters.example", "data.worldbank.example", "docs.python.org", "github.com", "zhuanlan.zhihu.com"]
TAGS = ["政府", "报告", "统计", "财政", "新闻", "政策", "经济", "教育", "健康", "环境", "科技", "阅读",
        "research", "python", "economics", "news", "data", "climate", "later", "reference"]


def _zipf_weights(words: list[str]) -> list[float]:
    """Word frequencies fall off like natural text: a few words everywhere, most of them rare."""
    return [1 / (rank + 1) ** 1.1 for rank in range(len(words))]


ZH_WEIGHTS = _zipf_weights(ZH_WORDS)
EN_WEIGHTS = _zipf_weights(EN_WORDS)


def _chinese(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        sentence = "".join(rng.choices(ZH_WORDS, ZH_WEIGHTS, k=rng.randint(6, 16)))
        if rng.random() < 0.3:
            sentence += f"，{rng.randint(2000, 2025)}年{rng.choice(ZH_WORDS)}{rng.uniform(0, 999):.1f}亿元"
        out.append(sentence + "。")
        size += len(sentence) + 1
        if rng.random() < 0.15:
            out.append("\n")
    return "".join(out)


def _english(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        sentence = " ".join(rng.choices(EN_WORDS, EN_WEIGHTS, k=rng.randint(8, 20))).capitalize()
        if rng.random() < 0.3:
            sentence += f" {rng.randint(1, 99)}.{rng.randint(0, 9)} percent in {rng.randint(2000, 2025)}"
        out.append(sentence + ". ")
        size += len(sentence) + 2
    return "".join(out)


class Command(BaseCommand):
    help = "Create a user's links with realistic page text, bulk-inserted (for benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="bench")
        parser.add_argument("--count", type=int, default=100_000)
        parser.add_argument("--batch", type=int, default=2_000)
        parser.add_argument("--text-chars", type=int, default=1_500, help="average page text length")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--start", type=int, default=None, help="first link number (run several loaders on disjoint ranges)"
        )

    def handle(self, *args, username: str, count: int, batch: int, text_chars: int, seed: int, **options) -> None:
        rng = random.Random(seed + (options["start"] or 0))
        user, _created = User.objects.get_or_create(username=username)
        if _created:
            user.set_password(username)
            user.save()
        tags = {name: tag_get_or_create(name) for name in TAGS}
        start = options["start"] if options["start"] is not None else Link.objects.filter(owner=user).count()
        now = timezone.now()
        for offset in range(start, start + count, batch):
            size = min(batch, start + count - offset)
            self._batch(rng, user, tags, offset, size, now, text_chars)
            self.stdout.write(f"{offset + size - start}/{count}")
        if connection.vendor == "postgresql":
            # Fresh planner statistics, as autovacuum would gather a little later.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    @transaction.atomic
    def _batch(self, rng, user, tags, offset, size, now, text_chars) -> None:
        links, texts, link_tags = [], [], []
        for i in range(offset, offset + size):
            chinese = rng.random() < 0.6
            length = int(rng.lognormvariate(0, 0.6) * text_chars)
            text = _chinese(rng, length) if chinese else _english(rng, length)
            title = (_chinese(rng, 14) if chinese else _english(rng, 50))[:80].strip("。. ")
            domain = rng.choice(DOMAINS)
            links.append(Link(
                owner=user, url=f"https://{domain}/{'zw' if chinese else 'en'}/{i}.html", title=title,
                description=text[:120], created=now - timedelta(minutes=7 * i + rng.randint(0, 6)),
            ))
            texts.append(text)
            link_tags.append(rng.sample(TAGS, rng.randint(0, 3)))
        Link.objects.bulk_create(links)
        snapshots = Snapshot.objects.bulk_create([
            Snapshot(link=link, owner=user, trigger=Snapshot.Trigger.IMPORT, status=Snapshot.Status.SUCCEEDED,
                     text=text, finished=link.created,
                     title=link.title, content_hash=f"seed-{link.pk}")
            for link, text in zip(links, texts, strict=True)
        ])
        TaggedLink.objects.bulk_create(
            [TaggedLink(content_object=link, tag=tags[name]) for link, names in zip(links, link_tags, strict=True)
             for name in names]
        )
        SearchDocument.objects.bulk_create([
            document_build(link=link, tags=sorted(names), text=text, snapshot_id=snap.pk)
            for link, names, text, snap in zip(links, link_tags, texts, snapshots, strict=True)
        ])
