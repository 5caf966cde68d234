// Node (import) entry: the CommonJS build, so both module systems share one instance.
import { createRequire } from "node:module";

const m = createRequire(import.meta.url)("../pkg/node.cjs");
export const {
  init, AligateError, TopClient, LinkedMallClient, CommissionStatusChangeRequest, LianbeiOrderNoticeRequest,
  FundsFlowNotifyRequest, ConfirmDisburseRequest, signTop, signAliyunRpc, topTimestamp, validateParams, validateWire,
  modelledApis, protocolOf, decodeResponse, unmodelled, __scrub,
  defaultCredentials, fromEnv, fromCredentialsUri, assumeRole, assumeRoleWithOIDC, chainCredentials, fromOidcRole, fromCliProfile, fromProfileFile,
  fromEcsMetadata,
} = m;
export default m;
