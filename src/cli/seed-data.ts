import { usccCheckCharacter } from '../events/publisher/uscc.js';

/**
 * The demo data `privacy-ledger seed` writes: fictitious companies and
 * people, Chinese and Latin names, in the shapes the validators accept.
 */
export interface DemoPublisher {
  companyName: string;
  /** an administrative division (GB/T 2260) of the company's seat */
  division: string;
  contact: { name: string; telephone: string; email: string };
  /** the registering account's name as the token carries it */
  member: { displayName: string; userPrincipalName: string };
}

export const DEMO_PUBLISHERS: readonly DemoPublisher[] = [
  {
    companyName: '杭州云栈科技有限公司',
    division: '330106',
    contact: { name: '王芳', telephone: '138 0013 8000', email: 'wang.fang@yunzhan.example.cn' },
    member: { displayName: '王芳', userPrincipalName: 'wang.fang@yunzhan.example.cn' },
  },
  {
    companyName: 'Contoso China Ltd.',
    division: '310115',
    contact: { name: 'Li Lei', telephone: '+86 139 1234 5678', email: 'li.lei@contoso.example.com' },
    member: { displayName: 'Li Lei', userPrincipalName: 'li.lei@contoso.example.com' },
  },
  {
    companyName: '深圳蓝鲸数据有限公司',
    division: '440305',
    contact: { name: '张伟', telephone: '137 2468 1357', email: 'zhang.wei@lanjing.example.cn' },
    member: { displayName: '张伟', userPrincipalName: 'zhang.wei@lanjing.example.cn' },
  },
  {
    companyName: 'Fabrikam (Shanghai) Software Co., Ltd.',
    division: '310104',
    contact: { name: 'Han Meimei', telephone: '136 1122 3344', email: 'han.meimei@fabrikam.example.com' },
    member: { displayName: 'Han Meimei', userPrincipalName: 'han.meimei@fabrikam.example.com' },
  },
  {
    companyName: '北京星河互联科技有限公司',
    division: '110108',
    contact: { name: '刘洋', telephone: '135 5566 7788', email: 'liu.yang@xinghe.example.cn' },
    member: { displayName: '刘洋', userPrincipalName: 'liu.yang@xinghe.example.cn' },
  },
  {
    companyName: 'Northwind Data Services (Chengdu)',
    division: '510107',
    contact: { name: 'Chen Jing', telephone: '150 2828 6060', email: 'chen.jing@northwind.example.com' },
    member: { displayName: 'Chen Jing', userPrincipalName: 'chen.jing@northwind.example.com' },
  },
  {
    companyName: '广州南风信息技术有限公司',
    division: '440106',
    contact: { name: '陈静', telephone: '186 2020 3030', email: 'chen.jing@nanfeng.example.cn' },
    member: { displayName: '陈静', userPrincipalName: 'chen.jing@nanfeng.example.cn' },
  },
  {
    companyName: 'Tailspin Cloud Shenzhen',
    division: '440304',
    contact: { name: 'Zhao Min', telephone: '159 8877 6655', email: 'zhao.min@tailspin.example.com' },
    member: { displayName: 'Zhao Min', userPrincipalName: 'zhao.min@tailspin.example.com' },
  },
];

/** Support contacts reachable by the channels Chinese customers use (QQ, WeChat, Weibo) as well as telephone and email. */
export const DEMO_SUPPORT = [
  { name: '客服 小李', qq: '800123456', wechat: 'yunzhan_kefu', weibo: '云栈科技客服' },
  {
    name: 'Support Desk',
    telephone: '400 612 3459',
    email: 'support@contoso.example.com',
    wechat: 'contoso_cs',
    weibo: 'ContosoChina',
  },
  { name: '技术支持 周强', telephone: '021 6485 2200', qq: '52963187' },
  { name: 'Service Team', email: 'help@fabrikam.example.com', weibo: 'FabrikamCN' },
  { name: '售后 赵丽', wechat: 'lanjing_shouhou', qq: '73958241' },
] as const;

export const DEMO_OFFERS = [
  { name: '云主机 标准版', kind: 'VIRTUAL_MACHINE' },
  { name: 'Data Lake Starter Template', kind: 'SOLUTION_TEMPLATE' },
  { name: '迁移咨询服务', kind: 'CUSTOMIZED_SERVICE' },
  { name: 'Hardened Ubuntu Image', kind: 'VIRTUAL_MACHINE' },
] as const;

/** A second account added to some publishers. */
export const DEMO_COLLEAGUES = [
  { displayName: '孙悦', userPrincipalName: 'sun.yue@example.cn' },
  { displayName: 'Wang Lei', userPrincipalName: 'wang.lei@example.com' },
] as const;

/** GB 11714 organisation code check character over 8 body digits. */
function organisationCheck(body: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/**
 * A Unified Social Credit Code valid under GB 32100-2015: 9 (industry and
 * commerce) 1 (enterprise), the division, an organisation code whose last
 * character is its GB 11714 check, then the modulo-31 check character.
 * `serial` makes each publisher's code its own (codes are unique per publisher).
 */
export function demoUscc(division: string, serial: number): string {
  const body = String(58_000_000 + serial * 7_919)
    .padStart(8, '0')
    .slice(-8);
  const first17 = `91${division}${body}${organisationCheck(body)}`;
  return first17 + usccCheckCharacter(first17);
}
