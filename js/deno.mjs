// Deno entry: reads the .wasm next to the glue and instantiates it at import.
import * as wasm from "../pkg/aligate.js";
import { AligateError, install } from "./core.mjs";

wasm.initSync({ module: Deno.readFileSync(new URL("../pkg/aligate_bg.wasm", import.meta.url)) });
install(wasm);

export const init = async () => {};
export { AligateError };
export {
  TopClient, LinkedMallClient, CommissionStatusChangeRequest, LianbeiOrderNoticeRequest, FundsFlowNotifyRequest,
  ConfirmDisburseRequest, signTop, signAliyunRpc, topTimestamp, validateParams, validateWire, modelledApis, decodeResponse,
} from "../pkg/aligate.js";
