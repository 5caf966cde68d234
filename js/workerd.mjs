// Cloudflare workerd entry: the .wasm import is a compiled WebAssembly.Module
// (wrangler's and workerd's module rules), instantiated synchronously.
import module from "../pkg/aligate_bg.wasm";
import * as wasm from "../pkg/aligate.js";
import { AligateError, install } from "./core.mjs";

wasm.initSync({ module });
install(wasm);

export const init = async () => {};
export { AligateError };
export {
  TopClient, LinkedMallClient, CommissionStatusChangeRequest, LianbeiOrderNoticeRequest, FundsFlowNotifyRequest,
  ConfirmDisburseRequest, signTop, signAliyunRpc, topTimestamp, validateParams, validateWire, modelledApis, decodeResponse,
} from "../pkg/aligate.js";
