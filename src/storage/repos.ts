import type { Model, ModelProvider, Provider } from "./schema";
import { Table } from "./table";

export const providers = new Table<Provider>("providers", { headers: "json", enabled: "bool" }, "name");

export const models = new Table<Model>("models", { breaker: "bool" }, "display_order, name");

export const modelProviders = new Table<ModelProvider>("model_providers", {
  tool_call: "bool",
  structured_output: "bool",
  image: "bool",
  with_header: "bool",
  headers: "json",
  extra_body: "json",
  enabled: "bool",
});
