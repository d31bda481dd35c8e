"""The models `manage.py model_pull` offers: German-capable, instruction-tuned, CPU-sized.

Chosen for this portal's work (German meeting protocols and reports, JSON output) on servers
without a GPU, smallest first. Each file is pinned to a repository revision where one was
stated, so its checksum stays right. Checksums are the SHA-256 of the Git LFS object that
the file's Hugging Face page states (`sha256_source`); we took them from public model
catalogues that record those pages, could not re-read them from this network, and never
guess one: where no statement was found the entry has none, and the first pull asks the
admin to compare what arrived with the publisher's page. A wrong checksum installs nothing.

Left out on purpose: Qwen2.5-3B (research licence, no commercial use), Gemma (Google's own
terms with use restrictions), base models (no chat template; the portal refuses them).
"""

from __future__ import annotations

from dataclasses import dataclass

_APACHE = "https://www.apache.org/licenses/LICENSE-2.0"


@dataclass(frozen=True)
class CatalogueModel:
    name: str  # what the admin types
    title: str
    repo: str  # Hugging Face repository
    revision: str  # commit the checksum belongs to ("main" where none was stated)
    filename: str
    size_bytes: int
    sha256: str | None
    licence: str
    licence_url: str
    min_ram_gb: int  # model + context cache + the portal's own services
    note: str

    @property
    def url(self) -> str:
        return f"https://huggingface.co/{self.repo}/resolve/{self.revision}/{self.filename}"

    @property
    def sha256_source(self) -> str:
        """The page that states the checksum (the LFS pointer's oid), or "" for none."""
        if not self.sha256:
            return ""
        return f"https://huggingface.co/{self.repo}/blob/{self.revision}/{self.filename}"


CATALOGUE: tuple[CatalogueModel, ...] = (
    CatalogueModel(
        name="qwen2.5-1.5b",
        title="Qwen2.5 1.5B Instruct (Q4_K_M)",
        repo="Qwen/Qwen2.5-1.5B-Instruct-GGUF",
        revision="91cad51170dc346986eccefdc2dd33a9da36ead9",
        filename="qwen2.5-1.5b-instruct-q4_k_m.gguf",
        size_bytes=1_117_320_736,
        sha256="6a1a2eb6d15622bf3c96857206351ba97e1af16c30d7a74ee38970e434e9407e",
        licence="Apache-2.0",
        licence_url=_APACHE,
        min_ram_gb=4,
        note="for trying out: a 1.5B model missed most decisions in our German bench",
    ),
    CatalogueModel(
        name="llama-3.2-3b",
        title="Llama 3.2 3B Instruct (Q4_K_M)",
        repo="bartowski/Llama-3.2-3B-Instruct-GGUF",
        revision="5ab33fa94d1d04e903623ae72c95d1696f09f9e8",
        filename="Llama-3.2-3B-Instruct-Q4_K_M.gguf",
        size_bytes=2_019_377_696,
        sha256="6c1a2b41161032677be168d354123594c0e6e67d2b9227c84f296ad037c728ff",
        licence="Llama 3.2 Community License",
        licence_url="https://www.llama.com/llama3_2/license/",
        min_ram_gb=6,
        note="German officially supported; small servers (4 cores, 8 GB)",
    ),
    CatalogueModel(
        name="qwen3-4b",
        title="Qwen3 4B (Q4_K_M)",
        repo="Qwen/Qwen3-4B-GGUF",
        revision="bc640142c66e1fdd12af0bd68f40445458f3869b",
        filename="Qwen3-4B-Q4_K_M.gguf",
        size_bytes=2_497_280_256,
        sha256="7485fe6f11af29433bc51cab58009521f205840f5b4ae3a32fa7f92e8534fdf5",
        licence="Apache-2.0",
        licence_url=_APACHE,
        min_ram_gb=6,
        note="German among its 100+ languages; the portal switches its thinking mode off",
    ),
    CatalogueModel(
        name="qwen2.5-7b",
        title="Qwen2.5 7B Instruct (Q4_K_M)",
        repo="bartowski/Qwen2.5-7B-Instruct-GGUF",
        revision="8911e8a47f92bac19d6f5c64a2e2095bd2f7d031",
        filename="Qwen2.5-7B-Instruct-Q4_K_M.gguf",
        size_bytes=4_683_074_240,
        sha256="65b8fcd92af6b4fefa935c625d1ac27ea29dcb6ee14589c55a8f115ceaaa1423",
        licence="Apache-2.0",
        licence_url=_APACHE,
        min_ram_gb=10,
        note="German among its 29 languages; the usual choice for 8 cores and 16 GB",
    ),
    CatalogueModel(
        name="llama-3.1-8b",
        title="Llama 3.1 8B Instruct (Q4_K_M)",
        repo="bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
        revision="bf5b95e96dac0462e2a09145ec66cae9a3f12067",
        filename="Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
        size_bytes=4_920_739_232,
        sha256="7b064f5842bf9532c91456deda288a1b672397a54fa729aa665952863033557c",
        licence="Llama 3.1 Community License",
        licence_url="https://www.llama.com/llama3_1/license/",
        min_ram_gb=10,
        note="German officially supported; 8 cores and 16 GB",
    ),
    CatalogueModel(
        name="qwen3-8b",
        title="Qwen3 8B (Q4_K_M)",
        repo="Qwen/Qwen3-8B-GGUF",
        revision="7c41481f57cb95916b40956ab2f0b139b296d974",
        filename="Qwen3-8B-Q4_K_M.gguf",
        size_bytes=5_027_783_488,
        sha256="d98cdcbd03e17ce47681435b5150e34c1417f50b5c0019dd560e4882c5745785",
        licence="Apache-2.0",
        licence_url=_APACHE,
        min_ram_gb=10,
        note="German among its 100+ languages; the portal switches its thinking mode off",
    ),
    CatalogueModel(
        name="teuken-7b",
        title="Teuken 7B Instruct commercial v0.4 (Q4_K_M, OpenGPT-X)",
        repo="mradermacher/Teuken-7B-instruct-commercial-v0.4-GGUF",
        revision="main",
        filename="Teuken-7B-instruct-commercial-v0.4.Q4_K_M.gguf",
        size_bytes=5_018_868_512,
        sha256=None,  # a checksum was stated for this quantisation, but not tied to this file
        licence="Apache-2.0",
        licence_url=_APACHE,
        min_ram_gb=10,
        note="trained in Germany for the 24 EU languages; checksum confirmed on first pull",
    ),
    CatalogueModel(
        name="eurollm-9b",
        title="EuroLLM 9B Instruct (Q4_K_M)",
        repo="bartowski/EuroLLM-9B-Instruct-GGUF",
        revision="main",
        filename="EuroLLM-9B-Instruct-Q4_K_M.gguf",
        size_bytes=5_582_838_496,
        sha256="785a3b2883532381704ef74f866f822f179a931801d1ed1cf12e6deeb838806b",
        licence="Apache-2.0",
        licence_url=_APACHE,
        min_ram_gb=12,
        note="made for all EU languages; 8 cores and 16 GB",
    ),
    CatalogueModel(
        name="mistral-nemo-12b",
        title="Mistral Nemo 12B Instruct 2407 (Q4_K_M)",
        repo="bartowski/Mistral-Nemo-Instruct-2407-GGUF",
        revision="a2dd64a0a76ea1bdb2bb6ab6fa5496b003c7c908",
        filename="Mistral-Nemo-Instruct-2407-Q4_K_M.gguf",
        size_bytes=7_477_208_192,
        sha256="7c1a10d202d8788dbe5628dc962254d10654c853cae6aaeca0618f05490d4a46",
        licence="Apache-2.0",
        licence_url=_APACHE,
        min_ram_gb=16,
        note="German officially supported, long context; 16 cores and 32 GB, or a GPU",
    ),
    CatalogueModel(
        name="qwen3-14b",
        title="Qwen3 14B (Q4_K_M)",
        repo="Qwen/Qwen3-14B-GGUF",
        revision="530227a7d994db8eca5ab5ced2fb692b614357fd",
        filename="Qwen3-14B-Q4_K_M.gguf",
        size_bytes=9_001_752_960,
        sha256="500a8806e85ee9c83f3ae08420295592451379b4f8cf2d0f41c15dffeb6b81f0",
        licence="Apache-2.0",
        licence_url=_APACHE,
        min_ram_gb=16,
        note="the largest here; 16 cores and 32 GB, or a GPU server",
    ),
)


def by_name(name: str) -> CatalogueModel | None:
    wanted = name.strip().lower()
    return next((m for m in CATALOGUE if m.name == wanted), None)
