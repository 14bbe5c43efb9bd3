"""A progress bar for a management command's long work: `progress(done, total, stage)` as the
services and the workbook tell it, drawn on one line per stage when the output is a terminal."""


class ProgressBar:
    def __init__(self, stdout, *, unit: str = "行", width: int = 30):
        self.stdout, self.unit, self.width = stdout, unit, width
        self.stage = None

    def __call__(self, done: int, total: int | None = None, stage: str | None = None) -> None:
        if stage is not None and stage != self.stage:
            if self.stage is not None:
                self.stdout.write("")
            self.stage = stage
        total = total or max(done, 1)
        filled = self.width * min(done, total) // total
        self.stdout.write(f"\r{self.stage or ''}：[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {self.unit}",
                          ending="")

    def end(self) -> None:
        """The bar's line ends (before whatever the command writes next)."""
        if self.stage is not None:
            self.stdout.write("")
            self.stage = None
