// Deno entry: reads the .wasm next to the glue and instantiates it at import.
import * as wasm from "../pkg/aligate.js";
import { install } from "./core.mjs";
import { credentialsApi } from "./credentials.mjs";

const raw = wasm.initSync({ module: Deno.readFileSync(new URL("../pkg/aligate_bg.wasm", import.meta.url)) });
const api = install(wasm, raw);
// Environment → credentials URI (no files or instance metadata here): js/credentials.mjs.
export const { defaultCredentials, fromEnv, fromCredentialsUri, assumeRole, assumeRoleWithOIDC, chainCredentials } = credentialsApi(api);
/** Node only (files, instance metadata): undefined here. */
export const fromOidcRole = undefined, fromCliProfile = undefined, fromProfileFile = undefined, fromEcsMetadata = undefined;

export const init = async () => {};
export const {
  AligateError, TopClient, LinkedMallClient, CommissionStatusChangeRequest, LianbeiOrderNoticeRequest,
  FundsFlowNotifyRequest, ConfirmDisburseRequest, signTop, signAliyunRpc, topTimestamp, validateParams, validateWire,
  modelledApis, protocolOf, decodeResponse, unmodelled, __scrub,
} = api;
