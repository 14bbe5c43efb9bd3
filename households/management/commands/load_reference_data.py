from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from households.models import Role
from households.services import reference_data_load, role_group_sync


class Command(BaseCommand):
    help = (
        "载入 fixtures/ 中的全部参考数据（县、致贫原因、帮扶渠道，以及计划的各项数字），按文件名顺序。"
        "只写入与文件不同的字段，重复运行不作任何修改，业务部门设置的标志（如重点县）不会被覆盖。"
        "随后按各应用的 access.py 同步各角色组的模型权限（升级后新增的页面随之授予）。"
        " Loads every fixture of fixtures/ idempotently, then syncs each role's group permissions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(settings.BASE_DIR / "fixtures"), help="参考数据目录")

    def handle(self, *args, directory, verbosity, **options):
        paths = sorted(Path(directory).glob("*.json"))
        if not paths:
            raise CommandError(f"{directory} 中没有参考数据文件（*.json）")
        try:
            counts = reference_data_load(paths=paths)
        except (ValidationError, LookupError, KeyError, ValueError) as e:
            raise CommandError(f"参考数据有误，未作任何修改：{e}") from None
        # Each deployment runs this after migrate: a role's group gains the pages a release adds
        # (the groups are otherwise written only when a role is granted).
        for role in Role.values:
            role_group_sync(role)
        if verbosity:
            self.stdout.write(
                f"已载入 {len(paths)} 个文件：新增 {counts['created']} 条，更新 {counts['updated']} 条，"
                f"未变 {counts['unchanged']} 条；{len(Role.values)} 个角色组的权限已同步。"
            )
