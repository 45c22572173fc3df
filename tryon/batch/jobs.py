"""Batch jobs: a JSONL file (one JSON object per line), a JSON array of objects, or a CSV file
with a header row; validated with line numbers.

A JSONL line looks like::

    {"prompt": "A leather handbag", "model": "gpt-image-2.6-sunburst", "options": {"size": "1024x1024", "n": 2},
     "name": "handbag"}

``prompt`` is required; ``model`` is a model name or a preference list; ``options`` holds
request options (``size``, ``quality``, ``n``, ``background``, provider options, ...);
``images`` (one or a list) and ``mask`` make the job an edit; ``person`` and ``garments`` make it
a try-on (``garments``: a path or URL, or a list of them or of ``{"image": ..., "category": "top"}``
objects; ``options.category`` tags every garment without one, or, as a list, each garment in
order; ``mask`` goes on the person; ``prompt`` is optional); ``name`` is the output file
stem; ``id`` identifies the job in the manifest (default: a hash of the line's content, so
that resuming works without ids). Relative image paths are resolved against the folder of
the jobs file.

A CSV file has a header row naming the columns: ``prompt`` (required), ``model``, ``images``,
``mask``, ``person``, ``garments``, ``name``, ``id`` and ``options`` (a JSON object) are the
job's fields; every other column is a request option (``size``, ``quality``, ``n``,
``category``, ...). Empty cells are left out; numbers and ``true``/``false`` are read as such;
``model``, ``images``, ``garments`` and ``category`` take several values separated by ``;``.
:class:`JobDefaults` (``tryon batch --model/--option``) fill what a job
leaves out.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from tryon.errors import InvalidOptionError, Problem, ValidationError
from tryon.media.outputs import name_from_prompt, safe_filename

__all__ = ["FIELDS", "Job", "JobDefaults", "JobFileError", "Shard", "load_jobs", "parse_job"]

FIELDS = ("prompt", "model", "options", "images", "mask", "person", "garments", "name", "id")
_OWN_FIELDS = frozenset({"prompt", "model", "images", "mask", "person", "garments"})
_URL_PREFIXES = ("http://", "https://", "data:")
_MAX_SHOWN = 20


class JobFileError(ValidationError):
    """A jobs file that cannot be run: every problem is listed with its line number."""

    def __init__(self, path: str | Path, problems: Sequence[tuple[int, str]]) -> None:
        self.path = Path(path)
        self.problems = tuple(problems)
        shown = [f"  {self.path.name} line {line}: {text}" if line else f"  {self.path.name}: {text}"
                 for line, text in self.problems[:_MAX_SHOWN]]
        if len(self.problems) > _MAX_SHOWN:
            shown.append(f"  ... and {len(self.problems) - _MAX_SHOWN} more")
        noun = "problem" if len(self.problems) == 1 else "problems"
        header = f"{len(self.problems)} {noun} in {self.path} (nothing was sent):"
        super().__init__("\n".join([header, *shown]))


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Job:
    """One line of a jobs file."""

    id: str
    line: int
    prompt: str
    model: str | tuple[str, ...] | None = None
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen)
    images: tuple[str, ...] | None = None
    mask: str | None = None
    name: str | None = None
    person: str | None = None
    garments: tuple[tuple[str, str | None], ...] | None = None
    """A try-on's garments: (path or URL, category or ``None``) in order."""
    #: the job's line as written, when its id was derived from it (no ``"id"`` field): the id is
    #: derived again when batch-wide defaults change what the job asks for
    content: Mapping[str, Any] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def n(self) -> int:
        """How many images the job asks for."""
        return int(self.options.get("n", 1))

    @property
    def is_edit(self) -> bool:
        return bool(self.images)

    @property
    def is_try_on(self) -> bool:
        return self.person is not None and bool(self.garments)

    @property
    def stem(self) -> str:
        """The output file stem: ``name``, else :func:`~tryon.media.outputs.name_from_prompt` plus the
        start of the id (unique within the batch)."""
        if self.name:
            return safe_filename(self.name)
        words = self.prompt
        if not words.strip() and self.garments:
            words = "try-on " + " ".join(c or "garment" for _, c in self.garments)
        return f"{name_from_prompt(words)}-{self.id[:8]}"

    def file_stem(self, index: int) -> str:
        """The stem of image *index* (``stem`` alone when the job makes one image)."""
        return self.stem if self.n == 1 else f"{self.stem}-{index}"


def _content_id(obj: Mapping[str, Any]) -> str:
    canonical = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _is_url(text: str) -> bool:
    return text.lower().startswith(_URL_PREFIXES)


def _path(value: str, base_dir: Path, what: str, problems: list[str]) -> str:
    if _is_url(value):
        return value
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        problems.append(f"{what} {value!r} not found (relative paths are read from {base_dir})")
    return str(path)


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _model(value: Any, problems: list[str]) -> str | tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value and all(isinstance(m, str) and m.strip() for m in value):
        return tuple(m.strip() for m in value)
    problems.append(f'"model" must be a model name or a non-empty list of names, not {_type_name(value)}')
    return None


def _options(value: Any, problems: list[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f'"options" must be an object like {{"size": "1024x1024"}}, not {_type_name(value)}')
        return {}
    for key in sorted(_OWN_FIELDS & set(value)):
        problems.append(f'options.{key}: give {key} as the job\'s own "{key}" field, not inside "options"')
    n = value.get("n", 1)
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        problems.append(f"options.n={n!r} must be a whole number of at least 1")
    return {k: v for k, v in value.items() if k not in _OWN_FIELDS}


def _images(value: Any, base_dir: Path, problems: list[str]) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i for i in items):
        problems.append('"images" must be a path or URL, or a non-empty list of them')
        return None
    return tuple(_path(item, base_dir, "image", problems) for item in items)


def _try_on(obj: Mapping[str, Any], options: dict[str, Any], base_dir: Path,
            problems: list[str]) -> tuple[str | None, tuple[tuple[str, str | None], ...] | None]:
    """The job's person and garments (each resolved like images), with the categories checked."""
    from tryon.vto.garments import check_category

    person, garments = obj.get("person"), obj.get("garments")
    if person is None and garments is None:
        return None, None
    if obj.get("images") is not None:
        problems.append('a job is an edit ("images") or a try-on ("person" and "garments"), not both')
    if not isinstance(person, str) or not person:
        problems.append('a try-on needs "person": the path or URL of one image')
        person = None
    else:
        person = _path(person, base_dir, "person", problems)
    items = [garments] if isinstance(garments, (str, dict)) else garments
    if not isinstance(items, list) or not items:
        problems.append('a try-on needs "garments": a path or URL, or a list of them or of '
                        '{"image": ..., "category": ...} objects')
        return person, None
    category = options.pop("category", None)
    if isinstance(category, str) and ";" in category:
        category = [c.strip() for c in category.split(";") if c.strip()]
    if isinstance(category, list) and len(category) != len(items):
        problems.append(f"options.category lists {len(category)} categories for {len(items)} garments")
        category = None
    out: list[tuple[str, str | None]] = []
    for number, item in enumerate(items, start=1):
        image, own = (item.get("image"), item.get("category")) if isinstance(item, dict) else (item, None)
        if isinstance(item, dict) and set(item) - {"image", "category"}:
            problems.append(f"garment {number}: a garment object takes image and category, not "
                            f"{', '.join(sorted(set(item) - {'image', 'category'}))}")
        if not isinstance(image, str) or not image:
            problems.append(f"garment {number}: needs an image path or URL")
            continue
        given = own if own is not None else (category[number - 1] if isinstance(category, list) else category)
        try:
            checked = check_category(given, f"garment {number} category")
        except ValidationError as exc:
            problems.append(str(exc))
            checked = None
        out.append((_path(image, base_dir, f"garment {number}", problems), checked))
    return person, tuple(out)


def _name(value: Any, problems: list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f'"name" must be a non-empty string, not {_type_name(value)}')
        return None
    if "/" in value or "\\" in value or value.strip() in (".", ".."):
        problems.append(f'"name" {value!r} must be a file name without a folder '
                        "(images are saved in the output folder)")
        return None
    return value.strip()


@attrs.frozen(kw_only=True)
class JobDefaults:
    """Batch-wide defaults: what a job does not say itself (its own fields and options win)."""

    model: str | tuple[str, ...] | None = None
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen)

    def apply(self, job: Job) -> Job:
        """*job* with the defaults filled in. A job without its own ``"id"`` gets the id of what it
        now asks for, so a run with other defaults (``--model``, ``--option``) does not take the
        first run's images as done; an explicit ``"id"`` is kept."""
        model = job.model if job.model is not None else self.model
        options = {**self.options, **job.options}
        if model == job.model and options == dict(job.options):
            return job
        job_id = job.id
        if job.content is not None:
            effective = {key: value for key, value in job.content.items() if key != "options"}
            if options:
                effective["options"] = options
            if model is not None:
                effective["model"] = list(model) if isinstance(model, tuple) else model
            job_id = _content_id(effective)
        return attrs.evolve(job, id=job_id, model=model, options=options)


def parse_job(text: str, line: int, source: str | Path = "jobs.jsonl") -> Job:
    """The job on *line* of the jobs file *source*; raises :class:`JobFileError` naming the line.

    Relative image paths are resolved against the folder of *source*.
    """
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JobFileError(source, [(line, f"not valid JSON ({exc.msg} at column {exc.colno})")]) from None
    return job_from_object(obj, line, source)


def job_from_object(obj: Any, line: int, source: str | Path = "jobs.jsonl") -> Job:
    """The job described by the decoded JSON value *obj* (from *line* of *source*)."""
    source = Path(source)
    base_dir = source.resolve().parent
    problems: list[str] = []
    if not isinstance(obj, dict):
        raise JobFileError(source, [(line, f'expected a JSON object like {{"prompt": "..."}}, '
                                             f"not {_type_name(obj)}")])
    unknown = sorted(set(obj) - set(FIELDS))
    for key in unknown:
        problems.append(f"unknown field {key!r}; a job has {', '.join(FIELDS)} "
                        '(request options such as size or n go inside "options")')
    prompt = obj.get("prompt")
    options = _options(obj.get("options"), problems)
    person, garments = _try_on(obj, options, base_dir, problems)
    try_on = person is not None or garments is not None
    if prompt is None and try_on:
        prompt = ""  # optional for a try-on
    elif not isinstance(prompt, str) or not prompt.strip():
        problems.append('"prompt" is required: a non-empty string describing the image'
                        if prompt is None or isinstance(prompt, str)
                        else f'"prompt" must be a string, not {_type_name(prompt)}')
    model = _model(obj.get("model"), problems)
    images = _images(obj.get("images"), base_dir, problems)
    mask = obj.get("mask")
    if mask is not None:
        if not isinstance(mask, str) or not mask:
            problems.append('"mask" must be a path or URL of one image')
            mask = None
        elif not images and not try_on:
            problems.append('"mask" needs "images" to edit (or "person" for a try-on)')
        else:
            mask = _path(mask, base_dir, "mask", problems)
    name = _name(obj.get("name"), problems)
    job_id = obj.get("id")
    content = None
    if job_id is None:
        job_id = _content_id(obj)
        content = obj
    elif isinstance(job_id, bool) or not isinstance(job_id, (str, int)) or not str(job_id).strip():
        problems.append(f'"id" must be a non-empty string or a number, not {_type_name(job_id)}')
    if problems:
        raise JobFileError(source, [(line, p) for p in problems])
    return Job(id=str(job_id).strip(), line=line, prompt=str(prompt), model=model, options=options,
               images=images, mask=mask, name=name, person=person, garments=garments, content=content)


def _file_format(path: Path, text: str) -> str:
    """``csv``, ``json`` (an array) or ``jsonl``: from the extension, else from the content."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".jsonl" or suffix == ".ndjson":
        return "jsonl"
    return "json" if text.lstrip().startswith("[") else "jsonl"


def _jsonl_jobs(text: str, path: Path, jobs: list[Job], problems: list[tuple[int, str]]) -> None:
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            jobs.append(parse_job(raw, number, path))
        except JobFileError as exc:
            problems.extend(exc.problems)


def _array_jobs(text: str, path: Path, jobs: list[Job], problems: list[tuple[int, str]]) -> None:
    """A JSON array of job objects; each job's line is the line where its object starts."""
    decoder = json.JSONDecoder()
    start = text.index("[") + 1
    position = start
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            break
        line = text.count("\n", 0, position) + 1
        try:
            obj, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            problems.append((exc.lineno, f"not a valid JSON array of jobs ({exc.msg} at column {exc.colno})"))
            return
        try:
            jobs.append(job_from_object(obj, line, path))
        except JobFileError as exc:
            problems.extend(exc.problems)
    if position >= len(text) or text[position:].strip() != "]":
        problems.append((text.count("\n", 0, position) + 1, "the JSON array of jobs is not closed with ]"))


_NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")
_LIST_FIELDS = ("model", "images", "garments")


def _cell(value: str) -> Any:
    text = value.strip()
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _csv_jobs(text: str, path: Path, jobs: list[Job], problems: list[tuple[int, str]]) -> None:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if "prompt" not in header and not {"person", "garments"} <= set(header):
        problems.append((1, 'the CSV header must name a "prompt" column, or "person" and "garments" for try-ons '
                            "(and optionally model, images, mask, name, id, options and request options such as "
                            "size or n)"))
        return
    reader.fieldnames = header
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append((line, f"more cells than the {len(header)} columns of the header"))
            continue
        obj: dict[str, Any] = {}
        options: dict[str, Any] = {}
        for key, raw in row.items():
            if raw is None or not raw.strip():
                continue
            if key in _LIST_FIELDS:
                parts = [p.strip() for p in raw.split(";") if p.strip()]
                obj[key] = parts[0] if len(parts) == 1 else parts
            elif key == "options":
                try:
                    obj["options"] = json.loads(raw)
                except json.JSONDecodeError:
                    problems.append((line, 'the "options" cell must be a JSON object like {"size": "1024x1024"}'))
            elif key in FIELDS:
                obj[key] = raw.strip()
            else:
                options[key] = _cell(raw)
        if not obj and not options:
            continue
        if options:
            given = obj.get("options")
            obj["options"] = {**options, **(given if isinstance(given, dict) else {})}
        try:
            jobs.append(job_from_object(obj, line, path))
        except JobFileError as exc:
            problems.extend(exc.problems)


def load_jobs(path: str | Path, defaults: JobDefaults | None = None) -> list[Job]:
    """Every job of a jobs file (JSONL, a JSON array or CSV; blank lines are skipped); all problems
    are reported at once. *defaults* fill what a job leaves out."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise JobFileError(path, [(0, "the jobs file does not exist")]) from None
    except UnicodeDecodeError as exc:
        raise JobFileError(path, [(_bad_utf8_line(exc), "the jobs file is not UTF-8 text")]) from None
    jobs: list[Job] = []
    problems: list[tuple[int, str]] = []
    {"csv": _csv_jobs, "json": _array_jobs, "jsonl": _jsonl_jobs}[_file_format(path, text)](text, path, jobs, problems)
    if defaults is not None:
        jobs = [defaults.apply(job) for job in jobs]
    problems.extend(_duplicates(jobs))
    if problems:
        raise JobFileError(path, sorted(problems))
    if not jobs:
        raise JobFileError(path, [(0, "the file holds no jobs; write one JSON object per line: "
                                      '{"prompt": "..."}')])
    return jobs


def _bad_utf8_line(exc: UnicodeDecodeError) -> int:
    """The 1-based line of the first byte that is not UTF-8."""
    return exc.object[: exc.start].count(b"\n") + 1


def _duplicates(jobs: Iterable[Job]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    ids: dict[str, int] = {}
    stems: dict[str, int] = {}
    for job in jobs:
        if job.id in ids:
            out.append((job.line, f"same id {job.id!r} as line {ids[job.id]} (identical lines share an id: "
                                  'ask for more images with options.n, or give each line its own "id")'))
        ids.setdefault(job.id, job.line)
        if job.name is not None:
            stem = job.stem.lower()
            if stem in stems:
                out.append((job.line, f"same name {job.name!r} as line {stems[stem]}; names must be unique"))
            stems.setdefault(stem, job.line)
    return out


@attrs.frozen
class Shard:
    """Shard *index* (1-based) of *count*: jobs whose id hashes to ``index - 1`` modulo *count*.

    Hashing the job id (not the line number) keeps a job in the same shard when lines are
    added, removed or reordered, so shards stay disjoint across reruns.
    """

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/3"`` -> shard 2 of 3; raises :class:`~tryon.errors.InvalidOptionError` otherwise."""
        index_text, sep, count_text = str(text).partition("/")
        try:
            index, count = int(index_text), int(count_text)
        except ValueError:
            index = count = 0
        if not sep or count < 1 or not 1 <= index <= count:
            raise InvalidOptionError([Problem("shard", text, f"shard {text!r} is not I/N with 1 <= I <= N "
                                                             "(e.g. 2/3 = the second of three shards)")])
        return cls(index, count)

    def __contains__(self, job: Job) -> bool:
        digest = hashlib.sha256(job.id.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def select(self, jobs: Iterable[Job]) -> list[Job]:
        return [job for job in jobs if job in self]

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
