from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from common.actors import SYSTEM
from households.models import Role
from households.services import role_grant


class Command(BaseCommand):
    help = (
        "为另一系统创建 API 用户（外部系统角色，默认只读，仅能看到所授予的县）并打印其令牌。"
        "用法：Authorization: Token <令牌>。重复运行打印同一令牌。"
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="系统的用户名，如 fujian_province")
        parser.add_argument("--county", action="append", default=[], required=True, help="县(市、区)代码，可重复")
        parser.add_argument("--write", action="store_true", help="允许写入")

    def handle(self, *args, name, county, write, **options):
        try:
            user = role_grant(actor=SYSTEM, username=name, role=Role.SYSTEM_CLIENT, counties=county, can_write=write)
        except ValidationError as e:
            raise CommandError("；".join(f"{k}: {' '.join(v)}" for k, v in e.message_dict.items())) from None
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
