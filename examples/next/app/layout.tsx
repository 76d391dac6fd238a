import Link from "next/link";
import type { ReactNode } from "react";

export const metadata = { title: "sir-donate with Next.js" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <nav>
          <Link href="/">The component</Link> · <Link href="/client">The JS API</Link> ·{" "}
          <Link href="/element">The element</Link>
        </nav>
        {children}
      </body>
    </html>
  );
}
