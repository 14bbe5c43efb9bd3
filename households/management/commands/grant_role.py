from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from common.actors import SYSTEM
from households.models import Role
from households.services import role_grant


class Command(BaseCommand):
    help = (
        "授予用户在建档立卡系统中的角色（用户不存在则创建），可重复运行。"
        f"角色：{', '.join(f'{r.value}（{r.label}）' for r in Role)}。"
        "县扶贫办录入员只读写本县；市农业局审核员可读全部；行业部门登记本渠道帮扶措施；外部系统默认只读。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--county", action="append", default=[], help="县(市、区)代码，可重复")
        parser.add_argument("--channel", action="append", default=[], help="帮扶渠道代码，可重复")
        parser.add_argument("--password", help="设置密码（须通过密码强度检查）")
        parser.add_argument("--write", action="store_true", help="外部系统可写（仅 system_client）")

    def handle(self, *args, username, role, county, channel, password, write, verbosity, **options):
        try:
            role_grant(actor=SYSTEM, username=username, role=role, counties=county, channels=channel, password=password,
                       can_write=write)
        except ValidationError as e:
            raise CommandError("；".join(f"{k}: {' '.join(v)}" for k, v in e.message_dict.items())) from None
        if verbosity:
            self.stdout.write(f"{username}：{Role(role).label}" + (f"，县 {', '.join(county)}" if county else "")
                              + (f"，渠道 {', '.join(channel)}" if channel else ""))
