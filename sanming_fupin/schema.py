"""The OpenAPI schema (drf-spectacular): every operation documents the errors it can answer with."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
FIELD_ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": True},
    description="输入有误：以字段名为键，值为中文说明的列表",
)


class AutoSchema(SpectacularAutoSchema):
    """Documents the errors every operation can answer with, as the exception handler shapes them."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "400": FIELD_ERRORS,
            "401": OpenApiResponse(ERROR, description="未登录或令牌无效"),
            "403": OpenApiResponse(ERROR, description="该角色不能进行此操作"),
            "404": OpenApiResponse(ERROR, description="记录不存在或不在可见范围内"),
            "429": OpenApiResponse(ERROR, description="请求过于频繁"),
        }
        if self.method == "DELETE":
            errors["409"] = OpenApiResponse(ERROR, description="被其他记录引用或不是最近一条，不能删除")
        elif self.method in ("POST", "PATCH", "PUT"):
            errors["409"] = OpenApiResponse(ERROR, description="与同时提交的另一条记录冲突，未作修改")
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response.response, code, direction=direction)
                responses[code]["description"] = response.description
        return responses
