"""Streamlit's own English widget words in Chinese: the exact texts and patterns, and the small
browser script that rewrites them (dashboard.py installs it once per tab). No Streamlit import:
a constant and a string builder."""

from __future__ import annotations

import json

# Streamlit's own widget words (file uploader, select boxes, table and chart toolbars, date
# picker) are English and Streamlit 1.67 has no setting for them (its issue #13500 is open);
# placeholders we can set are set where the widget is made. The rest is translated in the
# browser: a small script, installed once per tab, rewrites these exact texts and the
# title / aria-label / placeholder attributes whenever Streamlit draws them.
STREAMLIT_ZH = {
    # file uploader
    "Drag and drop files here": "将文件拖到此处，或点击右侧按钮选择",
    "Drag and drop file here": "将文件拖到此处，或点击右侧按钮选择",
    "Drag and drop a file here": "将文件拖到此处，或点击右侧按钮选择",
    "Browse files": "选择文件",
    "Upload": "选择文件",
    "Add files": "添加文件",
    "file upload": "上传文件",
    "Remove file": "移除文件",
    "Delete": "删除",
    # select boxes, multiselect, date input
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "No results": "没有匹配的选项",
    "No options": "没有选项",
    "Clear all": "全部清除",
    "Clear value": "清除",
    "Select all": "全选",
    "Select...": "请选择……",
    "Choose date": "选择日期",
    "Clear date": "清除日期",
    "Open": "展开",
    # table toolbar, search and column menu
    "Download as CSV": "下载 CSV",
    "Search": "搜索",
    "Type to search": "输入关键词搜索",
    "Close Search": "关闭搜索",
    "Next Result": "下一个",
    "Previous Result": "上一个",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Show/hide columns": "显示/隐藏列",
    "Sort ascending": "升序排列",
    "Sort descending": "降序排列",
    "Format": "数字格式",
    "Autosize": "自动列宽",
    "Pin column": "固定此列",
    "Unpin column": "取消固定",
    "Hide column": "隐藏此列",
    "Copy column name": "复制列名",
    "Clear selection": "清除选择",
    "Loading...": "加载中……",
    "No data": "无数据",
    "Empty": "空",
    # app chrome
    "Running...": "正在更新……",
    "Stop": "停止",
    "Rerun": "刷新",
    "Settings": "设置",
    "Print": "打印",
    "Clear cache": "清除缓存",
    "Main menu": "主菜单",
    "Connecting": "正在连接",
    "Please wait...": "请稍候……",
    "View more": "展开更多",
    "View less": "收起",
    "Collapse sidebar": "收起侧栏",
    "Expand sidebar": "展开侧栏",
    "Open sidebar": "展开侧栏",
    "Close sidebar": "收起侧栏",
    "Help": "说明",
    # labels read out by screen readers
    "Skip to main content": "跳到正文",
    "App pages": "页面导航",
    "Sidebar": "侧栏",
    "Increment": "增加",
    "Decrement": "减少",
    "Link to heading": "链接到此标题",
    "Selected values": "已选项",
}
# Texts with a number or a list inside ("20MB per file", " • XLSX, CSV"): regular expressions.
STREAMLIT_ZH_PATTERNS = [
    (r"^(\S+) per file$", "单个文件不超过 $1"),
    (r"^ • (.+)$", " · 格式：$1"),
    (r"^Remove (.+)$", "移除 $1"),
    (r"^Help for (.+)$", "$1 的说明"),
    (r"^year, (.+)$", "年，$1"),
    (r"^month, (.+)$", "月，$1"),
    (r"^day, (.+)$", "日，$1"),
    (r"^You can only select up to (\d+) .*$", "最多只能选择 $1 项，请先移除一项"),
]


def chinese_ui_script() -> str:
    """The browser side of STREAMLIT_ZH (see above), for st.html(unsafe_allow_javascript=True).
    Our own constant, no user input in it."""
    return (
        '<span id="grid-zh-ui"></span><script>(function () {'
        "if (window.__gridZhUi) return; window.__gridZhUi = true;"
        f"const words = {json.dumps(STREAMLIT_ZH, ensure_ascii=False)};"
        f"const patterns = {json.dumps(STREAMLIT_ZH_PATTERNS, ensure_ascii=False)}"
        ".map(([p, r]) => [new RegExp(p), r]);"
        """
const ATTRS = ["title", "aria-label", "placeholder", "data-title"];
// Plotly draws thousands of SVG nodes per chart, all of them our own texts or its words
// in Chinese through its `locales` config (charts_theme.PLOTLY_CONFIG): never walk inside
// a chart's drawing. Its toolbar (.modebar, where Streamlit adds a Fullscreen button) is
// outside the SVG and still translated.
const SKIP = "svg.main-svg";
function tr(text) {
  if (!text || !/[A-Za-z]/.test(text)) return null;
  const key = text.trim();
  if (Object.prototype.hasOwnProperty.call(words, key)) return text.replace(key, words[key]);
  for (const [re, to] of patterns) if (re.test(text)) return text.replace(re, to);
  return null;
}
function fixText(n) {
  const t = tr(n.nodeValue);
  if (t !== null && t !== n.nodeValue) n.nodeValue = t;
}
function fixAttrs(el) {
  for (const a of ATTRS) {
    const v = el.getAttribute(a);
    if (v) { const t = tr(v); if (t !== null && t !== v) el.setAttribute(a, t); }
  }
}
const skip = { acceptNode: (n) => n.nodeType === 1 && (n.tagName === "SCRIPT" || n.tagName === "STYLE"
  || n.matches(SKIP)) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT };
function fixNode(node) {
  const el = node.nodeType === 1 ? node : node.parentElement;
  if (!el || el.closest(SKIP)) return;
  if (node.nodeType === 3) { fixText(node); return; }
  if (node.nodeType !== 1 || skip.acceptNode(node) === NodeFilter.FILTER_REJECT) return;
  fixAttrs(node);
  const walk = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, skip);
  let n;
  while ((n = walk.nextNode())) {
    if (n.nodeType === 3) fixText(n);
    else fixAttrs(n);
  }
}
fixNode(document.body);
new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === "childList") r.addedNodes.forEach(fixNode);
    else if (r.type === "characterData") fixNode(r.target);
    else if (r.type === "attributes" && !r.target.closest(SKIP)) fixAttrs(r.target);
  }
}).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
  attributeFilter: ATTRS});
})();</script>"""
    )
