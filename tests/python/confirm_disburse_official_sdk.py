"""Sends ConfirmDisburse to the aligate sandbox with the official Alibaba Cloud
Python SDK (aliyun-python-sdk-core + aliyun-python-sdk-linkedmall, 2018-01-16).
Usage: python confirm_disburse_official_sdk.py HOST:PORT ACCESS_KEY_ID SECRET
Prints the JSON response; exits non-zero on an error."""
import json
import sys

from aliyunsdkcore.client import AcsClient
from aliyunsdklinkedmall.request.v20180116.ConfirmDisburseRequest import ConfirmDisburseRequest

endpoint, key_id, secret = sys.argv[1:4]
client = AcsClient(key_id, secret, "cn-hangzhou")
for method in ("POST", "GET"):
    req = ConfirmDisburseRequest()
    req.set_endpoint(endpoint)
    req.set_protocol_type("http")
    req.set_method(method)
    req.set_BizId("LMALL2019****0009")
    req.set_BizUid("349***23")
    req.set_LmOrderId("6012345678901234567")
    req.set_UseAnonymousTbAccount(False)
    body = client.do_action_with_exception(req)
    print(json.dumps({"method": method, "response": json.loads(body)}, ensure_ascii=False))
