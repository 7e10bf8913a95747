import { createContext, createSignal, type JSX, useContext } from "solid-js";

/** Every UI string, in the default language; other languages must provide the same keys. */
const zhCN = {
  "app.name": "llmio",
  "app.tagline": "LLM API 网关",

  "nav.providers": "提供商",
  "nav.models": "模型",
  "nav.links": "模型提供商关联",
  "nav.section.config": "配置",

  "header.language": "语言",
  "header.theme.dark": "切换到深色模式",
  "header.theme.light": "切换到浅色模式",
  "header.logout": "退出登录",

  "login.title": "登录 llmio",
  "login.subtitle": "输入管理令牌（TOKEN）以进入控制台",
  "login.token": "管理令牌",
  "login.placeholder": "粘贴 TOKEN",
  "login.submit": "登录",
  "login.checking": "验证中…",
  "login.invalid": "令牌无效，请检查后重试",
  "login.required": "请输入令牌",
  "login.hint": "令牌来自环境变量 TOKEN，或首次启动时打印在日志中。",

  "common.save": "保存",
  "common.saving": "保存中…",
  "common.cancel": "取消",
  "common.close": "关闭",
  "common.delete": "删除",
  "common.edit": "编辑",
  "common.confirm": "确认",
  "common.actions": "操作",
  "common.enabled": "启用",
  "common.on": "已启用",
  "common.off": "已停用",
  "common.id": "ID",
  "common.name": "名称",
  "common.loading": "加载中…",
  "common.empty": "暂无数据",
  "common.error": "出错了",
  "common.retry": "重试",
  "common.saved": "已保存",
  "common.deleted": "已删除",
  "common.created": "已创建",
  "common.optional": "可选",
  "common.all": "全部",
  "common.yes": "是",
  "common.no": "否",
  "common.invalidJson": "不是有效的 JSON 对象",
  "common.networkError": "无法连接到服务器",
  "common.confirmDelete": "确认删除",

  "providers.title": "提供商",
  "providers.subtitle": "上游 API 服务及其密钥",
  "providers.add": "添加提供商",
  "providers.edit": "编辑提供商",
  "providers.type": "类型",
  "providers.baseUrl": "Base URL",
  "providers.baseUrlHint": "不含版本段时自动补全（/v1，Gemini 为 /v1beta）",
  "providers.apiKey": "API Key",
  "providers.apiKeyKeep": "留空则保持不变",
  "providers.anthropicVersion": "Anthropic 版本",
  "providers.consoleUrl": "控制台地址",
  "providers.proxyUrl": "代理地址",
  "providers.errorMatcher": "错误匹配（正则）",
  "providers.headers": "附加请求头（JSON）",
  "providers.advanced": "高级设置",
  "providers.fetchModels": "上游模型",
  "providers.fetchModelsTitle": "{name} 的上游模型",
  "providers.fetchModelsCount": "共 {count} 个模型",
  "providers.fetchModelsNone": "上游没有返回任何模型",
  "providers.deleteConfirm": "删除提供商「{name}」？它的所有模型关联也会一并删除。",
  "providers.empty": "还没有提供商，先添加一个吧",
  "providers.copy": "复制",
  "providers.copied": "已复制",

  "models.title": "模型",
  "models.subtitle": "客户端请求的模型名称及其路由策略",
  "models.add": "添加模型",
  "models.edit": "编辑模型",
  "models.remark": "备注",
  "models.strategy": "策略",
  "models.strategy.weighted": "按权重",
  "models.strategy.priority": "按优先级",
  "models.maxAttempts": "最大尝试次数",
  "models.timeout": "超时（秒）",
  "models.breaker": "熔断",
  "models.links": "关联",
  "models.deleteConfirm": "删除模型「{name}」？它的所有提供商关联也会一并删除。",
  "models.empty": "还没有模型，先添加一个吧",

  "links.title": "模型提供商关联",
  "links.subtitle": "一个模型可由多个提供商的模型承接",
  "links.model": "关联模型",
  "links.providerType": "提供商类型",
  "links.add": "添加关联",
  "links.edit": "编辑关联",
  "links.provider": "提供商",
  "links.providerModel": "提供商模型",
  "links.pickProvider": "选择提供商",
  "links.loadUpstream": "读取上游",
  "links.upstreamLoaded": "已读取 {count} 个上游模型",
  "links.type": "类型",
  "links.toolCall": "工具调用",
  "links.structuredOutput": "结构化输出",
  "links.image": "视觉",
  "links.withHeader": "请求头透传",
  "links.weight": "权重",
  "links.priority": "优先级",
  "links.prices": "价格 / 1M tokens",
  "links.inputPrice": "输入",
  "links.cachedPrice": "缓存读取",
  "links.cacheWritePrice": "缓存写入",
  "links.outputPrice": "输出",
  "links.currency": "币种",
  "links.headers": "附加请求头（JSON）",
  "links.extraBody": "附加请求体（JSON）",
  "links.capabilities": "能力",
  "links.deleteConfirm": "删除关联「{name}」？",
  "links.empty": "这个模型还没有关联任何提供商",
  "links.noModels": "还没有模型，请先在「模型」页面添加",
  "links.noProviders": "还没有提供商，请先在「提供商」页面添加",
  "links.toggle": "点击切换",
  "links.col.toolCall": "工具",
  "links.col.structuredOutput": "结构化",
  "links.col.image": "视觉",
  "links.col.withHeader": "透传头",
  "links.col.prices": "价格 / 1M",

  "notFound.title": "页面不存在",
  "notFound.back": "返回提供商列表",
} as const;

export type DictKey = keyof typeof zhCN;
type Dict = Record<DictKey, string>;

const enUS: Dict = {
  "app.name": "llmio",
  "app.tagline": "LLM API gateway",

  "nav.providers": "Providers",
  "nav.models": "Models",
  "nav.links": "Model links",
  "nav.section.config": "Configuration",

  "header.language": "Language",
  "header.theme.dark": "Switch to dark mode",
  "header.theme.light": "Switch to light mode",
  "header.logout": "Log out",

  "login.title": "Sign in to llmio",
  "login.subtitle": "Enter the admin token (TOKEN) to open the console",
  "login.token": "Admin token",
  "login.placeholder": "Paste the TOKEN",
  "login.submit": "Sign in",
  "login.checking": "Checking…",
  "login.invalid": "Invalid token, please check it and try again",
  "login.required": "Please enter the token",
  "login.hint": "The token comes from the TOKEN variable, or is printed once on the first start.",

  "common.save": "Save",
  "common.saving": "Saving…",
  "common.cancel": "Cancel",
  "common.close": "Close",
  "common.delete": "Delete",
  "common.edit": "Edit",
  "common.confirm": "Confirm",
  "common.actions": "Actions",
  "common.enabled": "Enabled",
  "common.on": "On",
  "common.off": "Off",
  "common.id": "ID",
  "common.name": "Name",
  "common.loading": "Loading…",
  "common.empty": "Nothing here yet",
  "common.error": "Something went wrong",
  "common.retry": "Retry",
  "common.saved": "Saved",
  "common.deleted": "Deleted",
  "common.created": "Created",
  "common.optional": "optional",
  "common.all": "All",
  "common.yes": "Yes",
  "common.no": "No",
  "common.invalidJson": "Not a valid JSON object",
  "common.networkError": "Cannot reach the server",
  "common.confirmDelete": "Confirm deletion",

  "providers.title": "Providers",
  "providers.subtitle": "Upstream API services and their keys",
  "providers.add": "Add provider",
  "providers.edit": "Edit provider",
  "providers.type": "Type",
  "providers.baseUrl": "Base URL",
  "providers.baseUrlHint": "Without a version segment the default is added (/v1, Gemini /v1beta)",
  "providers.apiKey": "API key",
  "providers.apiKeyKeep": "Leave blank to keep the current key",
  "providers.anthropicVersion": "Anthropic version",
  "providers.consoleUrl": "Console URL",
  "providers.proxyUrl": "Proxy URL",
  "providers.errorMatcher": "Error matcher (regex)",
  "providers.headers": "Extra headers (JSON)",
  "providers.advanced": "Advanced",
  "providers.fetchModels": "Upstream models",
  "providers.fetchModelsTitle": "Upstream models of {name}",
  "providers.fetchModelsCount": "{count} models",
  "providers.fetchModelsNone": "The upstream returned no models",
  "providers.deleteConfirm": "Delete provider “{name}”? All of its model links are deleted too.",
  "providers.empty": "No providers yet: add the first one",
  "providers.copy": "Copy",
  "providers.copied": "Copied",

  "models.title": "Models",
  "models.subtitle": "Model names clients ask for, and how they are routed",
  "models.add": "Add model",
  "models.edit": "Edit model",
  "models.remark": "Remark",
  "models.strategy": "Strategy",
  "models.strategy.weighted": "Weighted",
  "models.strategy.priority": "Priority",
  "models.maxAttempts": "Max attempts",
  "models.timeout": "Timeout (s)",
  "models.breaker": "Breaker",
  "models.links": "Links",
  "models.deleteConfirm": "Delete model “{name}”? All of its provider links are deleted too.",
  "models.empty": "No models yet: add the first one",

  "links.title": "Model links",
  "links.subtitle": "One model can be served by models of several providers",
  "links.model": "Model",
  "links.providerType": "Provider type",
  "links.add": "Add link",
  "links.edit": "Edit link",
  "links.provider": "Provider",
  "links.providerModel": "Provider model",
  "links.pickProvider": "Choose a provider",
  "links.loadUpstream": "Fetch list",
  "links.upstreamLoaded": "Loaded {count} upstream models",
  "links.type": "Type",
  "links.toolCall": "Tool calls",
  "links.structuredOutput": "Structured output",
  "links.image": "Vision",
  "links.withHeader": "Pass headers",
  "links.weight": "Weight",
  "links.priority": "Priority",
  "links.prices": "Price / 1M tokens",
  "links.inputPrice": "Input",
  "links.cachedPrice": "Cache read",
  "links.cacheWritePrice": "Cache write",
  "links.outputPrice": "Output",
  "links.currency": "Currency",
  "links.headers": "Extra headers (JSON)",
  "links.extraBody": "Extra body (JSON)",
  "links.capabilities": "Capabilities",
  "links.deleteConfirm": "Delete the link “{name}”?",
  "links.empty": "This model is not linked to any provider yet",
  "links.noModels": "No models yet: add one on the Models page first",
  "links.noProviders": "No providers yet: add one on the Providers page first",
  "links.toggle": "Click to toggle",
  "links.col.toolCall": "Tools",
  "links.col.structuredOutput": "Schema",
  "links.col.image": "Vision",
  "links.col.withHeader": "Headers",
  "links.col.prices": "Price / 1M",

  "notFound.title": "Page not found",
  "notFound.back": "Back to providers",
};

export const LANGS = [
  { code: "zh-CN", label: "简体中文", short: "中" },
  { code: "en-US", label: "English", short: "EN" },
] as const;
export type Lang = (typeof LANGS)[number]["code"];

const DICTS: Record<Lang, Dict> = { "zh-CN": zhCN, "en-US": enUS };
const STORAGE_KEY = "llmio.lang";

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === "en-US" || saved === "zh-CN" ? saved : "zh-CN";
}

interface I18n {
  lang: () => Lang;
  setLang: (lang: Lang) => void;
  /** The string for `key` in the current language, `{name}` placeholders filled from `vars`. */
  t: (key: DictKey, vars?: Record<string, string | number>) => string;
}

const I18nContext = createContext<I18n>();

export function I18nProvider(props: { children: JSX.Element }) {
  const [lang, setLangSignal] = createSignal<Lang>(initialLang());
  document.documentElement.lang = lang();
  const value: I18n = {
    lang,
    setLang(next) {
      localStorage.setItem(STORAGE_KEY, next);
      document.documentElement.lang = next;
      setLangSignal(next);
    },
    t(key, vars) {
      const text = DICTS[lang()][key];
      return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m)) : text;
    },
  };
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error("useI18n must be used inside <I18nProvider>");
  return ctx;
}
